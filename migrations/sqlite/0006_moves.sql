-- A phase move is one statement (version 6 on both engines; 5 is PostgreSQL's callback inbox, which
-- SQLite keeps in a file of its own). Its audit row follows from it here, in the same transaction, so
-- the trail never misses a move, and a move holds SQLite's one write lock for a single statement
-- instead of a transaction's several round trips. (The PostgreSQL twin also announces the move.)
-- The event is named after the phase arrived in ('completed' is 'signed_in'); the detail is a
-- failure's reason, or 'new_account' for an approval that made the account.
CREATE TRIGGER sign_in_moved AFTER UPDATE OF phase ON sign_ins
BEGIN
    INSERT INTO sign_in_events (sign_in_id, at, event, detail)
    VALUES (NEW.id, NEW.updated_at,
            CASE NEW.phase WHEN 'completed' THEN 'signed_in' ELSE NEW.phase END,
            CASE WHEN NEW.phase = 'failed' THEN NEW.failure
                 WHEN NEW.phase = 'approved' AND NEW.new_account = 1 THEN 'new_account' END);
END;
