-- Nämndportalen's two database roles. Run once, by a superuser (or a role with CREATEROLE),
-- connected to the portal's database, with psql variables for the names and passwords:
--
--   psql -v ON_ERROR_STOP=1 -d namndportalen \
--        -v database=namndportalen \
--        -v owner=namndportalen_owner -v owner_password='...' \
--        -v app=namndportalen_app -v app_password='...' \
--        -f deploy/roles.sql
--
-- owner: owns the database, the schema and every table, sequence, function and trigger;
--        only `manage.py migrate` connects as it (DATABASE_URL of the migration step).
-- app:   the web server and the job worker. Owns nothing, so it cannot ALTER, DROP or
--        DISABLE TRIGGER anything; its table rights are in deploy/app-grants.sql, applied by
--        every migrate run (DATABASE_APP_ROLE).
CREATE ROLE :"owner" LOGIN PASSWORD :'owner_password';
CREATE ROLE :"app" LOGIN PASSWORD :'app_password' NOSUPERUSER NOCREATEDB NOCREATEROLE;

ALTER DATABASE :"database" OWNER TO :"owner";
ALTER SCHEMA public OWNER TO :"owner";
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"database" TO :"app";
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"app";

-- Tables and sequences a migration creates later are readable and writable by the app at
-- once (no DELETE: that is granted table by table in deploy/app-grants.sql).
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO :"app";
