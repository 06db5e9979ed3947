from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations

# Registrations are never deleted (OSL / arkivlagen practice): a case, document or attachment
# is cancelled (makulerad) instead. The rule is enforced in the database so no screen, script
# or ORM cascade can break it. TRUNCATE (used only by test teardown) does not fire row triggers.
FORBID_DELETE = """
CREATE OR REPLACE FUNCTION cases_forbid_delete() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'Registreringar raderas aldrig (%): makulera i stället.', TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER case_forbid_delete BEFORE DELETE ON cases_case
    FOR EACH ROW EXECUTE FUNCTION cases_forbid_delete();
CREATE TRIGGER document_forbid_delete BEFORE DELETE ON cases_document
    FOR EACH ROW EXECUTE FUNCTION cases_forbid_delete();
CREATE TRIGGER attachment_forbid_delete BEFORE DELETE ON cases_attachment
    FOR EACH ROW EXECUTE FUNCTION cases_forbid_delete();
"""

ALLOW_DELETE = """
DROP TRIGGER IF EXISTS case_forbid_delete ON cases_case;
DROP TRIGGER IF EXISTS document_forbid_delete ON cases_document;
DROP TRIGGER IF EXISTS attachment_forbid_delete ON cases_attachment;
DROP FUNCTION IF EXISTS cases_forbid_delete();
"""


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [
        UnaccentExtension(),
        TrigramExtension(),
        migrations.RunSQL(FORBID_DELETE, ALLOW_DELETE),
    ]
