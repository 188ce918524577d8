#!/bin/sh
# Run once by the postgres image when it creates the primary's cluster (/docker-entrypoint-initdb.d): lets the
# replica service stream from it, with the same password as every other connection.
set -e
echo "host replication ${POSTGRES_USER} all scram-sha-256" >> "$PGDATA/pg_hba.conf"
