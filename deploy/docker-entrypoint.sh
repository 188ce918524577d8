#!/bin/sh
# Container start: bring the schema up to date, load reference data and the seed (idempotent), make sure an
# admin account exists, then run the command (gunicorn by default).
set -eu
python manage.py migrate --noinput
python manage.py load_seed
python manage.py ensure_admin
exec "$@"
