"""The ceiling of bench_pages.py: a bare Flask app answering "hello", served by the same gunicorn."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "hello"
