granian --interface asgi --host 127.0.0.1 --port 8000 docs.examples.deployment.app:app
