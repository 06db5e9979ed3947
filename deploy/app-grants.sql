-- What the application role (:"app", DATABASE_APP_ROLE) may do with each table. Applied by
-- every `manage.py migrate` run as the owner (and by hand with
-- psql -v app=namndportalen_app -f deploy/app-grants.sql); running it again changes nothing.
--
-- Read, add and change rows everywhere; DELETE only where the portal really deletes. The
-- append-only rules themselves are triggers (migration 0022), which hold for every role;
-- these grants are the second line.
GRANT USAGE ON SCHEMA public TO :"app";
GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO :"app";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app";
REVOKE DELETE, TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM :"app";

-- Deletes the portal does: sessions (logout, expiry), django-axes (a successful login resets
-- the failures; cleanup), groups and their links (the admin's user and role forms), board
-- memberships, meetings without decisions and agenda items (a secretary removes one),
-- personal-data findings and the references read from a handling's text (replaced when the
-- text is read again), the search vocabulary (rebuilt with TRUNCATE), and procrastinate's job
-- queue (finished jobs, workers that stopped, periodic-task bookkeeping).
GRANT DELETE ON
    django_session,
    axes_accessattempt, axes_accessattemptexpiration, axes_accessfailurelog, axes_accesslog,
    auth_group, auth_user_groups, auth_user_user_permissions, auth_group_permissions,
    cases_boardmembership, cases_meeting, cases_agendaitem, cases_personaldatafinding,
    cases_reference,
    cases_searchword,
    procrastinate_jobs, procrastinate_events, procrastinate_periodic_defers,
    procrastinate_workers
TO :"app";
GRANT TRUNCATE ON cases_searchword TO :"app";

-- Only migrate writes the migration ledger.
REVOKE INSERT, UPDATE ON django_migrations FROM :"app";

-- Append-only: history of cases, handlingar and bilagor, status changes, aliases. Rows are
-- added, never changed or removed.
REVOKE UPDATE ON
    cases_historicalcase, cases_historicaldocument, cases_historicalattachment,
    cases_casestatuschange, cases_casealias
FROM :"app";

-- A dnr series is only ever counted up: the app may change the last number and nothing else
-- (the trigger refuses lowering it).
REVOKE UPDATE ON cases_dnrseries FROM :"app";
GRANT UPDATE (last_number) ON cases_dnrseries TO :"app";
