uvicorn docs.examples.deployment.app:app --host 127.0.0.1 --port 8000 --lifespan on
