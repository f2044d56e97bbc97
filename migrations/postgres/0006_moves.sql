-- A phase move is one statement. Its audit row and its announcement to every instance (NOTIFY,
-- delivered at commit, never for a move that rolled back) follow from it here, in the same
-- transaction: the trail never misses a move, and a move is one round trip instead of a
-- transaction's five. The channel and payload are what `store::notices` listens for.
-- The event is named after the phase arrived in ('completed' is 'signed_in'); the detail is a
-- failure's reason, or 'new_account' for an approval that made the account.
CREATE FUNCTION sign_in_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO sign_in_events (sign_in_id, at, event, detail)
    VALUES (NEW.id, NEW.updated_at,
            CASE NEW.phase WHEN 'completed' THEN 'signed_in' ELSE NEW.phase END,
            CASE WHEN NEW.phase = 'failed' THEN NEW.failure
                 WHEN NEW.phase = 'approved' AND NEW.new_account = 1 THEN 'new_account' END);
    PERFORM pg_notify('sign_in_moved', NEW.id);
    RETURN NULL;
END
$$;

CREATE TRIGGER sign_in_moved AFTER UPDATE OF phase ON sign_ins
    FOR EACH ROW EXECUTE FUNCTION sign_in_moved();
