"""The ws-kit chat demo (run it with ``hatch run demo:serve``).

``app.py`` holds the application, ``page.html`` the browser page, and ``__main__.py``
starts uvicorn on 127.0.0.1.
"""
