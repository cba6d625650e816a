const express = require("express");

const app = express();
const apiUrl = process.env.API_URL || "http://api:8000";

app.get("/healthz", (req, res) => res.json({ status: "ok" }));
app.get("/", (req, res) => res.send(`shop front, talking to ${apiUrl}`));

app.listen(3000, () => console.log("web listening on 3000"));
