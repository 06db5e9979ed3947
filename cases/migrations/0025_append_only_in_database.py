from django.db import migrations

# Append-only tables and immutable numbers, in the database, for every role (issue 19.8):
# the history of cases, handlingar and bilagor, status changes and aliases are never changed
# or removed; a dnr series only counts up; a decision keeps its board, year and §; a
# reference keeps what it quotes (its resolution may change; a reference read from a
# handling's text is replaced when the text is read again, one a registrator added stays);
# a registered case keeps its board and number. TRUNCATE (test teardown only) fires no row
# triggers. The application role owns none of these tables, so it cannot disable them.
FORWARD = """
CREATE FUNCTION cases_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'Rader i % ändras och raderas aldrig (%): lägg till en ny rad i stället.',
        TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION cases_refuse_renumbering() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'Numret i % ändras aldrig (%): ett registrerat nummer står kvar.',
        TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER historicalcase_append_only BEFORE UPDATE OR DELETE ON cases_historicalcase
    FOR EACH ROW EXECUTE FUNCTION cases_refuse_change();
CREATE TRIGGER historicaldocument_append_only BEFORE UPDATE OR DELETE
    ON cases_historicaldocument FOR EACH ROW EXECUTE FUNCTION cases_refuse_change();
CREATE TRIGGER historicalattachment_append_only BEFORE UPDATE OR DELETE
    ON cases_historicalattachment FOR EACH ROW EXECUTE FUNCTION cases_refuse_change();
CREATE TRIGGER casestatuschange_append_only BEFORE UPDATE OR DELETE ON cases_casestatuschange
    FOR EACH ROW EXECUTE FUNCTION cases_refuse_change();
CREATE TRIGGER casealias_append_only BEFORE UPDATE OR DELETE ON cases_casealias
    FOR EACH ROW EXECUTE FUNCTION cases_refuse_change();

CREATE TRIGGER dnrseries_never_deleted BEFORE DELETE ON cases_dnrseries
    FOR EACH ROW EXECUTE FUNCTION cases_refuse_change();
CREATE TRIGGER dnrseries_counts_up BEFORE UPDATE ON cases_dnrseries FOR EACH ROW
    WHEN (OLD.board_id IS DISTINCT FROM NEW.board_id OR OLD.year IS DISTINCT FROM NEW.year
          OR NEW.last_number < OLD.last_number)
    EXECUTE FUNCTION cases_refuse_renumbering();

CREATE TRIGGER case_dnr_immutable
    BEFORE UPDATE OF dnr, dnr_key, dnr_year, dnr_number, board_id ON cases_case FOR EACH ROW
    WHEN ((OLD.dnr, OLD.dnr_key, OLD.dnr_year, OLD.dnr_number, OLD.board_id)
          IS DISTINCT FROM (NEW.dnr, NEW.dnr_key, NEW.dnr_year, NEW.dnr_number, NEW.board_id))
    EXECUTE FUNCTION cases_refuse_renumbering();

CREATE TRIGGER decision_never_deleted BEFORE DELETE ON cases_decision
    FOR EACH ROW EXECUTE FUNCTION cases_refuse_change();
CREATE TRIGGER decision_number_immutable
    BEFORE UPDATE OF board_id, year, section ON cases_decision FOR EACH ROW
    WHEN ((OLD.board_id, OLD.year, OLD.section) IS DISTINCT FROM
          (NEW.board_id, NEW.year, NEW.section))
    EXECUTE FUNCTION cases_refuse_renumbering();

CREATE TRIGGER reference_manual_never_deleted BEFORE DELETE ON cases_reference FOR EACH ROW
    WHEN (OLD.start IS NULL) EXECUTE FUNCTION cases_refuse_change();
CREATE TRIGGER reference_quote_immutable BEFORE UPDATE ON cases_reference FOR EACH ROW
    WHEN ((OLD.source_id, OLD.raw, OLD.dnr_key, OLD.display, OLD.start, OLD."end",
           OLD.board_id)
          IS DISTINCT FROM
          (NEW.source_id, NEW.raw, NEW.dnr_key, NEW.display, NEW.start, NEW."end",
           NEW.board_id))
    EXECUTE FUNCTION cases_refuse_change();
"""

BACKWARD = """
DROP TRIGGER historicalcase_append_only ON cases_historicalcase;
DROP TRIGGER historicaldocument_append_only ON cases_historicaldocument;
DROP TRIGGER historicalattachment_append_only ON cases_historicalattachment;
DROP TRIGGER casestatuschange_append_only ON cases_casestatuschange;
DROP TRIGGER casealias_append_only ON cases_casealias;
DROP TRIGGER dnrseries_never_deleted ON cases_dnrseries;
DROP TRIGGER dnrseries_counts_up ON cases_dnrseries;
DROP TRIGGER case_dnr_immutable ON cases_case;
DROP TRIGGER decision_never_deleted ON cases_decision;
DROP TRIGGER decision_number_immutable ON cases_decision;
DROP TRIGGER reference_manual_never_deleted ON cases_reference;
DROP TRIGGER reference_quote_immutable ON cases_reference;
DROP FUNCTION cases_refuse_change();
DROP FUNCTION cases_refuse_renumbering();
"""


class Migration(migrations.Migration):
    dependencies = [("cases", "0024_import_progress")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
