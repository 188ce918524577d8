FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    GUNICORN_BIND=0.0.0.0:8000

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
# Static files are collected at build time with a throwaway key; WhiteNoise serves them at run time.
RUN SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" ALLOWED_HOSTS=build \
    python manage.py collectstatic --noinput \
 && useradd --system --no-create-home app
USER app

EXPOSE 8000
ENTRYPOINT ["./deploy/docker-entrypoint.sh"]
# gunicorn.conf.py: gthread workers, whose timeout is a heartbeat and not a limit on a request's length, and the
# slow-client floor. The background worker is the same image running `python manage.py jobs_worker`.
CMD ["gunicorn", "-c", "gunicorn.conf.py"]
