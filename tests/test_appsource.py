"""App-source scanning: routes with every prefix applied, env reads, `serves()` matching."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from k8slint.lint.load import Project
from k8slint.lint.model.appsource import AppSource, EnvRead, scan_app

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def scan(root: Path, files: dict[str, str], directory: str = "") -> AppSource:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return scan_app(Project(root), directory)


def routes(app: AppSource) -> set[tuple[str | None, str, str]]:
    return {(r.method, r.path, r.framework) for r in app.routes}


def position(app: AppSource, path: str) -> tuple[str, int, int]:
    route = next(r for r in app.routes if r.path == path)
    return route.loc.path, route.loc.line, route.loc.col


def env(app: AppSource, name: str) -> EnvRead:
    return next(e for e in app.env_reads if e.name == name)


# --- Python ------------------------------------------------------------------------------------


def test_flask_blueprint_prefixes(tmp_path: Path) -> None:
    app = scan(
        tmp_path,
        {
            "app.py": """
            from flask import Flask
            from views import api, admin, ops

            app = Flask(__name__)
            app.register_blueprint(api)
            app.register_blueprint(admin, url_prefix="/staff")
            app.add_url_rule("/ping", view_func=lambda: "ok")
            api.register_blueprint(ops, url_prefix="/ops")

            @app.route("/login", methods=["GET", "POST"])
            def login():
                return ""
            """,
            "views.py": """
            from flask import Blueprint

            api = Blueprint("api", __name__, url_prefix="/api/v1")
            admin = Blueprint("admin", __name__, url_prefix="/admin")
            ops = Blueprint("ops", __name__)

            @api.get("/health")
            def health():
                return "ok"

            @admin.route("/users")
            def users():
                return ""

            @ops.route("/ready")
            def ready():
                return ""
            """,
        },
    )
    assert routes(app) == {
        ("GET", "/api/v1/health", "flask"),
        ("GET", "/staff/users", "flask"),  # the registration prefix replaces the blueprint's
        ("GET", "/api/v1/ops/ready", "flask"),  # nested: the parent's prefix comes first
        ("GET", "/ping", "flask"),
        ("GET", "/login", "flask"),
        ("POST", "/login", "flask"),
    }
    assert position(app, "/api/v1/health") == ("views.py", 7, 10)
    assert position(app, "/ping") == ("app.py", 7, 18)


def test_fastapi_routers_across_modules(tmp_path: Path) -> None:
    app = scan(
        tmp_path,
        {
            "svc/app/main.py": """
            from fastapi import FastAPI
            from .config import settings
            from .routers import health, items

            app = FastAPI()
            app.include_router(health.router)
            app.include_router(items.router, prefix=settings.API_V1_STR)
            """,
            "svc/app/config.py": """
            from pydantic_settings import BaseSettings

            class Settings(BaseSettings):
                API_V1_STR: str = "/api/v1"

            settings = Settings()
            """,
            "svc/app/routers/__init__.py": "",
            "svc/app/routers/health.py": """
            from fastapi import APIRouter

            router = APIRouter(prefix="/health")

            @router.get("")
            async def health():
                return {}

            @router.get("/ready")
            async def ready():
                return {}
            """,
            "svc/app/routers/items.py": """
            from fastapi import APIRouter

            router = APIRouter(prefix="/items", tags=["items"])

            @router.get("/{item_id}")
            def read(item_id: int):
                return {}

            @router.api_route("/", methods=["POST", "PUT"])
            def write():
                return {}
            """,
        },
        directory="svc",
    )
    assert routes(app) == {
        ("GET", "/health", "fastapi"),
        ("GET", "/health/ready", "fastapi"),
        ("GET", "/api/v1/items/{item_id}", "fastapi"),
        ("POST", "/api/v1/items/", "fastapi"),
        ("PUT", "/api/v1/items/", "fastapi"),
    }
    assert position(app, "/health/ready") == ("svc/app/routers/health.py", 9, 13)
    assert app.serves("/api/v1/items/42?full=1") is not None
    assert app.serves("/api/v1/items/42/extra") is None


def test_django_urlconf_includes(tmp_path: Path) -> None:
    app = scan(
        tmp_path,
        {
            "site/settings.py": 'ROOT_URLCONF = "site.urls"\n',
            "site/urls.py": """
            from django.urls import include, path, re_path
            from . import views

            urlpatterns = [
                path("api/", include("shop.urls")),
                re_path(r"^healthz/?$", views.health),
                re_path(r"^legacy/(?P<year>[0-9]{4})/(?:page)?$", views.legacy),
            ]
            """,
            "shop/urls.py": """
            from django.urls import path

            urlpatterns = [
                path("items/<int:pk>/", view),
                path("", index),
            ]
            """,
        },
    )
    assert routes(app) == {
        (None, "/api/items/<int:pk>/", "django"),
        (None, "/api/", "django"),
        (None, "/healthz", "django"),
        (None, "/legacy/(?P<year>[0-9]{4})/(?:page)?$", "django"),
    }
    assert position(app, "/healthz") == ("site/urls.py", 6, 13)
    assert app.serves("/api/items/7") is not None
    assert app.serves("/api/items/seven") is not None  # converters are not type-checked
    assert app.serves("/healthz/") is not None
    assert app.serves("/legacy/2020/page") is not None
    assert app.serves("/legacy/20/page") is None
    assert app.serves("/shop/items/7") is None


def test_python_env_reads(tmp_path: Path) -> None:
    app = scan(
        tmp_path,
        {
            "config.py": """
            import os
            from os import environ, getenv

            DATABASE_URL = os.getenv("DATABASE_URL", "postgresql://app@localhost:5432/app")
            REDIS_URL = environ.get("REDIS_URL") or "redis://localhost:6379"
            PORT = int(getenv("PORT", 8080))
            KEY = os.environ["KIS_APP_KEY"]
            DEBUG = os.environ.get("DEBUG")
            os.environ["SET_ONLY"] = "1"
            """,
        },
    )
    database = env(app, "DATABASE_URL")
    assert (database.default, database.required, database.soft) == (
        "postgresql://app@localhost:5432/app",
        False,
        False,
    )
    assert (database.loc.line, database.loc.col, database.loc.end_col) == (4, 42, 79)
    redis = env(app, "REDIS_URL")
    assert (redis.default, redis.loc.line, redis.loc.col) == ("redis://localhost:6379", 5, 41)
    assert env(app, "PORT").default == "8080"
    key = env(app, "KIS_APP_KEY")
    assert (key.required, key.soft, key.loc.col) == (True, False, 7)
    debug = env(app, "DEBUG")
    assert (debug.default, debug.required, debug.soft) == (None, False, True)
    assert all(e.name != "SET_ONLY" for e in app.env_reads)
    assert {e.language for e in app.env_reads} == {"python"}


def test_pydantic_settings_fields(tmp_path: Path) -> None:
    app = scan(
        tmp_path,
        {
            "settings.py": """
            from typing import ClassVar
            from pydantic import AliasChoices, Field
            from pydantic_settings import BaseSettings, SettingsConfigDict

            class Base(BaseSettings):
                model_config = SettingsConfigDict(env_prefix="APP_")
                database_url: str = "postgresql://localhost/app"
                secret_key: str
                token: str = Field(..., alias="API_TOKEN")
                broker: str = Field(default="amqp://localhost", validation_alias="BROKER_URL")
                either: str = Field(validation_alias=AliasChoices("A_URL", "B_URL"))
                cache: dict = Field(default_factory=dict)
                VERSION: ClassVar[str] = "1"

            class Legacy(Base):
                class Config:
                    env_prefix = "OLD_"
                redis_host: str = "localhost"
            """,
        },
    )
    url = env(app, "APP_DATABASE_URL")
    assert (url.default, url.required, url.loc.line, url.loc.col) == (
        "postgresql://localhost/app",
        False,
        7,
        25,
    )
    secret = env(app, "APP_SECRET_KEY")
    assert (secret.required, secret.loc.line, secret.loc.col) == (True, 8, 5)
    assert env(app, "API_TOKEN").required is True  # an alias is used as it is, without prefix
    assert env(app, "BROKER_URL").default == "amqp://localhost"
    assert env(app, "A_URL").required is False  # any of the choices will do
    assert env(app, "APP_CACHE").required is False
    assert env(app, "OLD_REDIS_HOST").default == "localhost"
    assert all("VERSION" not in e.name for e in app.env_reads)


def test_broken_and_undecodable_python_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "latin1.py").write_bytes(b"# caf\xe9\nx = 1\n")
    app = scan(
        tmp_path,
        {
            "broken.py": "def f(:\n    os.getenv('X', 'y')\n",
            "ok.py": """
            from flask import Flask
            app = Flask(__name__)

            @app.route("/health")
            def health():
                return "ok"
            """,
        },
    )
    assert routes(app) == {("GET", "/health", "flask")}
    assert "broken.py" in app.files
    assert app.env_reads == ()


def test_tests_and_build_output_are_not_scanned(tmp_path: Path) -> None:
    app = scan(
        tmp_path,
        {
            "main.go": 'package main\nfunc main() { http.HandleFunc("/real", h) }\n',
            "main_test.go": 'package main\nfunc T() { http.HandleFunc("/fake", h) }\n',
            "tests/test_app.py": '@app.route("/fake")\ndef f(): pass\n',
            "web/app.spec.ts": "app.get('/fake', h)\n",
            "dist/server.js": "const app = express()\napp.get('/fake', h)\n",
            "README.md": "app.get('/fake')",
        },
    )
    assert app.files == ("main.go",)
    assert routes(app) == {(None, "/real", "net/http")}


# --- JavaScript / TypeScript ------------------------------------------------------------------


def test_express_router_mounted_from_sibling_module(tmp_path: Path) -> None:
    app = scan(
        tmp_path,
        {
            "api/src/server.js": """
            const express = require('express')
            const healthRouter = require('./routes/health')
            import { ordersRouter } from './routes/orders'

            const app = express()
            // app.get('/commented', h)
            app.use(express.json())
            app.use('/api', auth, healthRouter)
            app.use('/api/orders', ordersRouter)
            app.get("/", (req, res) => res.send('ok'))
            app.listen(3000)
            """,
            "api/src/routes/health.js": """
            const express = require('express')
            const router = express.Router()

            router.get('/health', (req, res) => res.json({ status: 'ok' }))
            module.exports = router
            """,
            "api/src/routes/orders.ts": """
            import { Router } from 'express'

            export const ordersRouter = Router()
            ordersRouter.get('/:id', getOrder)
            ordersRouter.post('/', createOrder)
            """,
        },
        directory="api",
    )
    assert routes(app) == {
        ("GET", "/api/health", "express"),
        ("GET", "/api/orders/:id", "express"),
        ("POST", "/api/orders/", "express"),
        ("GET", "/", "express"),
    }
    assert position(app, "/api/health") == ("api/src/routes/health.js", 4, 12)
    assert app.serves("/api/orders/17") is not None
    assert app.serves("/api/orders") is None  # only POST there; probes send GET


def test_koa_router_prefix(tmp_path: Path) -> None:
    app = scan(
        tmp_path,
        {
            "index.js": """
            const Koa = require('koa')
            const Router = require('@koa/router')
            const app = new Koa()
            const api = new Router({ prefix: '/api' })
            const ops = new Router()
            ops.prefix('/ops')
            api.get('/users/:id', show)
            ops.get('/healthz', health)
            app.use(api.routes()).use(api.allowedMethods())
            app.use(ops.routes())
            """,
        },
    )
    assert routes(app) == {("GET", "/api/users/:id", "koa"), ("GET", "/ops/healthz", "koa")}
    assert position(app, "/ops/healthz") == ("index.js", 8, 9)


def test_fastify_plugins_register_prefix_and_route_object(tmp_path: Path) -> None:
    app = scan(
        tmp_path,
        {
            "app.js": """
            const fastify = require('fastify')({ logger: true })
            fastify.register(require('./plugins/status'), { prefix: '/status' })
            fastify.route({
              method: ['GET', 'HEAD'],
              url: '/ready',
              handler: async () => 'ok',
            })
            """,
            "plugins/status.js": """
            module.exports = async function (fastify, opts) {
              fastify.get('/live', async () => ({ ok: true }))
            }
            """,
            "service/routes/orders/index.js": """
            module.exports = async function (fastify, opts) {
              fastify.get('/', async () => [])
            }
            """,
        },
    )
    assert routes(app) == {
        ("GET", "/status/live", "fastify"),
        ("GET", "/ready", "fastify"),
        ("HEAD", "/ready", "fastify"),
        ("GET", "/orders/", "fastify"),  # @fastify/autoload: the folder is the prefix
    }
    assert position(app, "/ready") == ("app.js", 5, 8)


def test_nestjs_controllers_with_global_prefix_and_exclude(tmp_path: Path) -> None:
    app = scan(
        tmp_path,
        {
            "src/main.ts": """
            async function bootstrap() {
              const app = await NestFactory.create(AppModule)
              app.setGlobalPrefix('api', {
                exclude: ['health', { path: 'metrics', method: RequestMethod.GET }],
              })
              await app.listen(3000)
            }
            """,
            "src/health.controller.ts": """
            @Controller('health')
            export class HealthController {
              @Get()
              check() { return 'ok' }

              @Get('live')
              live() { return 'ok' }
            }

            @Controller({ path: 'cats' })
            export class CatsController {
              @Post(':id/feed')
              feed() {}
            }
            """,
        },
    )
    assert routes(app) == {
        ("GET", "/health", "nestjs"),  # excluded from the global prefix
        ("GET", "/api/health/live", "nestjs"),
        ("POST", "/api/cats/:id/feed", "nestjs"),
    }
    assert position(app, "/health") == ("src/health.controller.ts", 3, 3)
    assert position(app, "/api/health/live") == ("src/health.controller.ts", 6, 8)


def test_javascript_env_reads(tmp_path: Path) -> None:
    app = scan(
        tmp_path,
        {
            "config.js": """
            const dbUrl = process.env.DATABASE_URL || 'postgres://localhost:5432/app'
            const redis = process.env["REDIS_URL"] ?? "redis://127.0.0.1:6379"
            const { MONGO_URI = 'mongodb://localhost:27017', LOG_LEVEL } = process.env
            const jwt = required(process.env.JWT_SECRET)
            if (!process.env.KIS_APP_KEY) {
              throw new Error('KIS_APP_KEY is not set')
            }
            if (!process.env.OPTIONAL) console.log('no optional')
            process.env.NODE_ENV = 'production'
            """,
        },
    )
    db = env(app, "DATABASE_URL")
    assert (db.default, db.loc.line, db.loc.col, db.soft) == (
        "postgres://localhost:5432/app",
        1,
        43,
        False,
    )
    redis = env(app, "REDIS_URL")
    assert (redis.default, redis.loc.line, redis.loc.col) == ("redis://127.0.0.1:6379", 2, 43)
    mongo = env(app, "MONGO_URI")
    assert (mongo.default, mongo.loc.line, mongo.loc.col) == ("mongodb://localhost:27017", 3, 21)
    assert env(app, "LOG_LEVEL").soft is True
    assert env(app, "JWT_SECRET").required is True
    assert env(app, "KIS_APP_KEY").required is True
    optional = env(app, "OPTIONAL")
    assert (optional.required, optional.soft) == (False, True)
    assert all(e.name != "NODE_ENV" for e in app.env_reads)


# --- Go ----------------------------------------------------------------------------------------


def test_go_net_http_and_gorilla(tmp_path: Path) -> None:
    app = scan(
        tmp_path,
        {
            "cmd/server/main.go": """
            package main

            const apiBase = "/api"

            func main() {
            \tmux := http.NewServeMux()
            \tmux.HandleFunc("GET /items/{id}", getItem)
            \tmux.Handle("/static/", files)
            \tr := mux.NewRouter()
            \tapi := r.PathPrefix(apiBase).Subrouter()
            \tapi.HandleFunc("/healthz", health).Methods(http.MethodGet, "HEAD")
            \tr.HandleFunc(baseURL+"/cart", cart).Methods(http.MethodPost)
            }
            """,
        },
    )
    assert routes(app) == {
        ("GET", "/items/{id}", "net/http"),
        (None, "/static/", "net/http"),
        ("GET", "/api/healthz", "gorilla"),
        ("HEAD", "/api/healthz", "gorilla"),
        ("POST", "/cart", "gorilla"),  # a prefix known only at run time is dropped
    }
    assert position(app, "/api/healthz") == ("cmd/server/main.go", 11, 17)
    assert app.serves("/static/css/site.css") is not None  # net/http subtree pattern
    assert app.serves("/items/9") is not None
    assert app.serves("/items") is None


def test_go_gin_echo_chi(tmp_path: Path) -> None:
    app = scan(
        tmp_path,
        {
            "gin/main.go": """
            package main

            import "github.com/gin-gonic/gin"

            func main() {
            \trouter := gin.Default()
            \tv1 := router.Group("/v1")
            \t{
            \t\tv1.GET("/orders/:id", getOrder)
            \t}
            \trouter.Any("/health", health)
            }
            """,
            "echo/main.go": """
            package main

            import "github.com/labstack/echo/v4"

            func main() {
            \te := echo.New()
            \tg := e.Group("/admin", auth)
            \tg.POST("/users", create)
            \te.GET("/ping", ping)
            }
            """,
            "chi/main.go": """
            package main

            import "github.com/go-chi/chi/v5"

            func main() {
            \tr := chi.NewRouter()
            \tr.Get("/", index)
            \tr.Route("/articles", func(r chi.Router) {
            \t\tr.Get("/{articleID}", getArticle)
            \t\tr.Route("/{articleID}/comments", func(r chi.Router) {
            \t\t\tr.Post("/", addComment)
            \t\t})
            \t})
            }
            """,
        },
    )
    assert routes(app) == {
        ("GET", "/v1/orders/:id", "gin"),
        (None, "/health", "gin"),
        ("POST", "/admin/users", "echo"),
        ("GET", "/ping", "echo"),
        ("GET", "/", "chi"),
        ("GET", "/articles/{articleID}", "chi"),
        ("POST", "/articles/{articleID}/comments/", "chi"),
    }
    assert position(app, "/v1/orders/:id") == ("gin/main.go", 9, 10)
    assert position(app, "/articles/{articleID}") == ("chi/main.go", 9, 9)
    assert app.serves("/v1/orders/5") is not None
    assert app.serves("/articles/abc") is not None
    assert app.serves("/missing") is None  # chi "/" is an exact route, not a subtree


def test_go_env_reads_and_helpers(tmp_path: Path) -> None:
    app = scan(
        tmp_path,
        {
            "main.go": """
            package main

            func getEnv(key, fallback string) string {
            \tif value, ok := os.LookupEnv(key); ok {
            \t\treturn value
            \t}
            \treturn fallback
            }

            func mustMapEnv(target *string, envKey string) {
            \tv := os.Getenv(envKey)
            \tif v == "" {
            \t\tpanic("not set")
            \t}
            \t*target = v
            }

            func main() {
            \tdsn := getEnv("DATABASE_URL", "postgres://localhost:5432/app")
            \tmustMapEnv(&addr, "CART_SERVICE_ADDR")
            \tport := os.Getenv("PORT")
            \tif port == "" {
            \t\tport = "8080"
            \t}
            \tif key := os.Getenv("API_KEY"); key == "" {
            \t\tlog.Fatal("API_KEY is required")
            \t}
            \tdebug := os.Getenv("DEBUG")
            }
            """,
        },
    )
    dsn = env(app, "DATABASE_URL")
    assert (dsn.default, dsn.loc.line, dsn.loc.col, dsn.language) == (
        "postgres://localhost:5432/app",
        19,
        32,
        "go",
    )
    assert env(app, "CART_SERVICE_ADDR").required is True
    port = env(app, "PORT")
    assert (port.default, port.loc.line, port.loc.col) == ("8080", 23, 10)
    assert env(app, "API_KEY").required is True
    debug = env(app, "DEBUG")
    assert (debug.soft, debug.required, debug.loc.line, debug.loc.col) == (True, False, 28, 11)


# --- Java / Kotlin -----------------------------------------------------------------------------


def test_spring_mappings_and_actuator(tmp_path: Path) -> None:
    app = scan(
        tmp_path,
        {
            "orders/pom.xml": """
            <project>
              <dependencies>
                <dependency>
                  <groupId>org.springframework.boot</groupId>
                  <artifactId>spring-boot-starter-actuator</artifactId>
                </dependency>
              </dependencies>
            </project>
            """,
            "orders/src/main/resources/application.yml": """
            management:
              endpoints:
                web:
                  base-path: /manage
            spring:
              datasource:
                url: ${DATABASE_URL:jdbc:postgresql://localhost:5432/orders}
                password: ${DB_PASSWORD}
            """,
            "orders/src/main/java/shop/OrderController.java": """
            @RestController
            @RequestMapping("/api/orders")
            public class OrderController {
                private final String region = System.getenv("REGION");

                @GetMapping
                public List<Order> list() { return List.of(); }

                @GetMapping(path = "/{id}")
                public Order one(@PathVariable long id) { return null; }

                @RequestMapping(value = "/sync", method = RequestMethod.POST)
                public void sync() {}
            }
            """,
            "orders/src/main/kotlin/shop/Ping.kt": """
            @RestController
            class Ping {
                @GetMapping("/ping")
                fun ping() = System.getenv("GREETING") ?: "hi"
            }
            """,
        },
        directory="orders",
    )
    assert routes(app) == {
        ("GET", "/api/orders", "spring"),
        ("GET", "/api/orders/{id}", "spring"),
        ("POST", "/api/orders/sync", "spring"),
        ("GET", "/ping", "spring"),
        ("GET", "/manage/health", "actuator"),
        ("GET", "/manage/health/liveness", "actuator"),
        ("GET", "/manage/health/readiness", "actuator"),
    }
    assert position(app, "/api/orders/{id}") == (
        "orders/src/main/java/shop/OrderController.java",
        9,
        24,
    )
    assert position(app, "/manage/health") == ("orders/pom.xml", 5, 19)
    assert app.serves("/manage/health/readiness") is not None
    database = env(app, "DATABASE_URL")
    assert (database.default, database.loc.line, database.loc.col) == (
        "jdbc:postgresql://localhost:5432/orders",
        7,
        25,
    )
    assert env(app, "DB_PASSWORD").required is True
    assert env(app, "REGION").soft is True
    assert env(app, "GREETING").default == "hi"


def test_actuator_needs_the_dependency(tmp_path: Path) -> None:
    app = scan(tmp_path, {"build.gradle.kts": 'dependencies { implementation("x:web") }\n'})
    assert app.routes == ()
    assert not app.has_routes()


# --- serves() ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "framework", "probe", "served"),
    [
        ("/items/{id}", "fastapi", "/items/3", True),
        ("/items/{id}", "fastapi", "/items/3/4", False),
        ("/files/{p:path}", "fastapi", "/files/a/b", True),
        ("/items/:id", "express", "/items/3/", True),
        ("/items/:id?", "express", "/items", True),
        ("/items/<int:id>", "flask", "/items/3", True),
        ("/static/<path:f>", "flask", "/static/a/b.css", True),
        ("/blog/<slug:slug>/", "django", "/blog/hello-world", True),
        ("/assets/*filepath", "gin", "/assets/js/app.js", True),
        ("/files/{rest...}", "net/http", "/files/a/b", True),
        ("/{$}", "net/http", "/other", False),
        ("/", "net/http", "/anything", True),
        ("/", "gorilla", "/anything", False),
        ("/health", "flask", "/health?verbose=1", True),
        ("/health", "flask", "/healthz", False),
        ("/health/", "flask", "/health", True),
    ],
)
def test_serves_matches_path_templates(
    tmp_path: Path, template: str, framework: str, probe: str, served: bool
) -> None:
    from k8slint.lint.locate import Loc
    from k8slint.lint.model.appsource import Route

    route = Route(None, template, Loc.point("x", 1), framework)
    app = AppSource("", (route,), (), ())
    assert (app.serves(probe) is route) is served


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
@pytest.mark.parametrize(
    ("directory", "probe", "framework"),
    [
        ("Azure-Samples__aks-store-demo/src/order-service", "/health", "fastify"),
        ("Azure-Samples__aks-store-demo/src/makeline-service", "/health", "gin"),
        ("GoogleCloudPlatform__microservices-demo/src/frontend", "/_healthz", "gorilla"),
        ("istio__istio/samples/bookinfo/src/productpage", "/health", "flask"),
        ("GoogleCloudPlatform__kubernetes-engine-samples/quickstarts/hello-app", "/", "net/http"),
    ],
)
def test_corpus_health_routes(directory: str, probe: str, framework: str) -> None:
    app = scan_app(Project(CORPUS), directory)
    route = app.serves(probe)
    assert route is not None
    assert route.framework == framework
    assert route.loc.path.startswith(directory + "/")


# --- review mends --------------------------------------------------------------------------------


def lint_findings(root: Path, files: dict[str, str], rule: str) -> list[tuple[str, int, str]]:
    from tests.conftest import lint_repo

    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    result = lint_repo(root).result
    return [(f.loc.path, f.loc.line, f.message) for f in result.findings if f.rule == rule]


DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      containers:
        - name: {name}
          image: {name}:1.0.0
{extra}
"""


def test_kotlin_string_templates_are_not_spring_placeholders(tmp_path: Path) -> None:
    app = scan(
        tmp_path,
        {
            "src/main/kotlin/demo/Health.kt": """
            package demo

            const val API = "/api"

            @RestController
            class Health(@Value("\\${GREETING:hi}") val greeting: String) {
                @GetMapping("${API}/health")
                fun health() = "ok"

                @GetMapping("${'$'}{server.base:/x}/ping")
                fun ping() = "pong"

                fun log() = println("${API} up, needs \\${TOKEN}")
            }
            """,
        },
    )
    assert all(e.name != "API" for e in app.env_reads)
    assert env(app, "GREETING").default == "hi"
    assert env(app, "TOKEN").required is True
    assert app.serves("/api/health") is not None
    assert all("$" not in r.path and "{" not in r.path for r in app.routes)


def test_go_routes_on_a_parameter_keep_an_unknown_prefix(tmp_path: Path) -> None:
    app = scan(
        tmp_path,
        {
            "main.go": """
            package main

            func main() {
            \tr := mux.NewRouter()
            \tapi := r.PathPrefix("/api").Subrouter()
            \tregisterRoutes(api)
            \tr.HandleFunc("/", index)
            \thttp.ListenAndServe(":8080", r)
            }
            """,
            "routes.go": """
            package main

            func registerRoutes(r *mux.Router) {
            \tr.HandleFunc("/health", health).Methods("GET")
            }
            """,
        },
    )
    assert app.serves("/api/health") is not None
    assert app.serves("/api/other") is None


def test_go_router_from_another_file_of_the_package(tmp_path: Path) -> None:
    app = scan(
        tmp_path,
        {
            "server.go": """
            package main

            var router = mux.NewRouter()
            var api = router.PathPrefix("/api").Subrouter()
            """,
            "health.go": """
            package main

            func init() {
            \tapi.HandleFunc("/health", health)
            }
            """,
        },
    )
    assert routes(app) == {(None, "/api/health", "gorilla")}


def test_go_http_client_calls_are_not_routes(tmp_path: Path) -> None:
    app = scan(
        tmp_path,
        {
            "main.go": """
            package main

            func main() {
            \tresp, _ := http.Get(upstream + "/status")
            \thttp.Post(upstream+"/events", "application/json", body)
            \thttp.HandleFunc("/healthz", health)
            }
            """,
        },
    )
    assert routes(app) == {(None, "/healthz", "net/http")}


def test_spring_profile_documents(tmp_path: Path) -> None:
    app = scan(
        tmp_path,
        {
            "src/main/resources/application.yml": """
            server:
              servlet:
                context-path: /svc  # the default
            spring:
              datasource:
                password: ${DB_PASSWORD}
            ---
            spring:
              config:
                activate:
                  on-profile: prod
            server:
              servlet:
                context-path: /prod
            sentry:
              dsn: ${SENTRY_DSN}
            """,
            "src/main/java/demo/Health.java": """
            @RestController
            public class Health {
                @GetMapping("/health")
                public String health() { return "ok"; }
            }
            """,
        },
    )
    assert routes(app) == {("GET", "/svc/health", "spring")}
    assert env(app, "DB_PASSWORD").required is True
    assert env(app, "DB_PASSWORD").conditional is False
    assert env(app, "SENTRY_DSN").conditional is True


def test_python_env_reads_are_case_sensitive_unless_settings_say_otherwise(
    tmp_path: Path,
) -> None:
    extra = """
          env:
            - name: api_key
              value: k
            - name: db_url
              value: postgresql://db/x
    """
    found = lint_findings(
        tmp_path,
        {
            "k8s/api.yaml": DEPLOYMENT.format(name="api", extra=extra.strip("\n")),
            "api/main.py": """
            import os

            from pydantic_settings import BaseSettings


            class Settings(BaseSettings):
                db_url: str


            API_KEY = os.environ["API_KEY"]
            """,
        },
        "required-env-missing",
    )
    assert [(path, line) for path, line, _ in found] == [("api/main.py", 10)]


def test_commented_out_static_serving_does_not_silence_probes(tmp_path: Path) -> None:
    extra = """
          livenessProbe:
            httpGet: {path: /health, port: 3000}
    """
    found = lint_findings(
        tmp_path,
        {
            "k8s/web.yaml": DEPLOYMENT.format(name="web", extra=extra.strip("\n")),
            "web/server.js": """
            const express = require('express');
            const app = express();
            // app.use(express.static('public'));
            app.get('/healthz', (req, res) => res.send('ok'));
            app.listen(3000);
            """,
        },
        "probe-path-missing",
    )
    assert [(path, line) for path, line, _ in found] == [("k8s/web.yaml", 16)]


def test_destructured_rest_is_not_a_read(tmp_path: Path) -> None:
    app = scan(
        tmp_path,
        {"config.js": "const { PORT = '3000', ...rest } = process.env;\nmodule.exports = rest;\n"},
    )
    assert {e.name for e in app.env_reads} == {"PORT"}


def test_serves_undeclared_reads_code_not_comments(tmp_path: Path) -> None:
    commented = scan(
        tmp_path / "a",
        {
            "server.js": "// app.use(express.static('public'))\napp.get('/x', h)\n",
            "main.py": "# app.mount('/static', StaticFiles(directory='s'))\n",
        },
    )
    assert commented.serves_undeclared is False
    assert scan(tmp_path / "b", {"main.py": "app.mount('/s', StaticFiles(directory='s'))\n"})
    served = scan(tmp_path / "c", {"main.go": "package main\nvar h = http.FileServer(dir)\n"})
    assert served.serves_undeclared is True


def test_scan_app_reads_the_given_file_list_and_buffers(tmp_path: Path) -> None:
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "main.go").write_text(
        'package main\nfunc main() { http.HandleFunc("/disk", h) }\n'
    )
    project = Project(tmp_path)
    project.override("api/extra.go", 'package main\nfunc f() { http.HandleFunc("/buffer", h) }\n')
    app = scan_app(project, "api", files=["api/extra.go", "api/main.go", "other/x.go"])
    assert routes(app) == {(None, "/disk", "net/http"), (None, "/buffer", "net/http")}
    assert app.files == ("api/extra.go", "api/main.go")


def test_js_setup_function_called_with_a_mounted_router(tmp_path: Path) -> None:
    app = scan(
        tmp_path,
        {
            "server.js": """
            const express = require('express');
            const app = express();
            const apiRouter = express.Router();
            function setupRoutes(router) {
              router.get('/health', (req, res) => res.send('ok'));
            }
            setupRoutes(apiRouter);
            app.use('/api', apiRouter);
            """,
        },
    )
    assert app.serves("/api/health") is not None
