from fastapi import FastAPI

from .routes import router
from .settings import settings

app = FastAPI(title="shop-api")
app.include_router(router)


@app.on_event("startup")
async def connect() -> None:
    app.state.database_url = settings.database_url
