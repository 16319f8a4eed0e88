REDIS_URL=redis://127.0.0.1:6379/0 uvicorn docs.examples.channels_redis.app:app --workers 4 --port 8000
