hypercorn docs.examples.deployment.app:app --bind 127.0.0.1:8000
