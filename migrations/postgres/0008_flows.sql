-- Which way in a sign-in took (`domain::Flow`), stored instead of inferred from which columns are
-- empty: a one-tap attempt was "Truecaller with neither a number nor a state". Rows already there
-- get the flow that inference gave them.
ALTER TABLE sign_ins ADD COLUMN flow TEXT NOT NULL DEFAULT 'desktop';
UPDATE sign_ins SET flow = 'digilocker' WHERE provider = 'digilocker';
UPDATE sign_ins SET flow = 'one_tap' WHERE provider = 'truecaller' AND phone IS NULL AND state_hash IS NULL;
