from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    # Fine under docker compose, which sets DATABASE_URL; a pod that leaves it unset
    # connects to itself.
    database_url: str = "postgresql://shop:shop@localhost:5432/shop"
    redis_url: str = "redis://cache:6379/0"
    upload_dir: str = "/var/lib/shop/uploads"


settings = Settings()
