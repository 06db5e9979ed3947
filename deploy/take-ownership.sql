-- Upgrading an installation whose tables belong to another role (before deploy/roles.sql
-- existed they belonged to the superuser in DATABASE_URL): give every table, sequence,
-- function and type of the portal's schema to the owner role. Run once, as a superuser,
-- after deploy/roles.sql and before the next migrate:
--
--   psql -v ON_ERROR_STOP=1 -d namndportalen -v owner=namndportalen_owner \
--        -f deploy/take-ownership.sql
--
-- Objects of extensions (unaccent, pg_trgm) stay with the extension.
SELECT format('ALTER TABLE public.%I OWNER TO %I', tablename, :'owner')
    FROM pg_tables WHERE schemaname = 'public'
\gexec
SELECT format('ALTER SEQUENCE public.%I OWNER TO %I', s.relname, :'owner')
    FROM pg_class s
    WHERE s.relkind = 'S' AND s.relnamespace = 'public'::regnamespace
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = s.oid AND d.deptype IN ('a', 'i'))
\gexec
SELECT format('ALTER ROUTINE %s OWNER TO %I', p.oid::regprocedure, :'owner')
    FROM pg_proc p
    WHERE p.pronamespace = 'public'::regnamespace
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
\gexec
SELECT format('ALTER TYPE %s OWNER TO %I', t.oid::regtype, :'owner')
    FROM pg_type t
    WHERE t.typnamespace = 'public'::regnamespace AND t.typtype IN ('e', 'd', 'c')
      AND (t.typrelid = 0 OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = t.oid AND d.deptype = 'e')
\gexec
