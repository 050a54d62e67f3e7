-- sinhke hub, schema 2: signed notices take the place of schema 1's devices and acks,
-- which nothing ever wrote (schema 1 had no push). A notice says something about a
-- device (a laptop's own keys; a supervisor's acceptance of them, with the ward's key
-- sealed to that laptop) or is the follow-up schedule a supervisor publishes. Every
-- client checks a notice's signature before it believes it.
DROP TABLE acks;
DROP TABLE devices;

CREATE TABLE notices (
    -- The server's digest of the signed statement: a login cannot take the place of a
    -- notice it did not sign by pushing another under the same key first.
    digest bytea GENERATED ALWAYS AS (sha256(statement || signature)) STORED PRIMARY KEY,
    -- The ward the notice is for, or '*' for every ward (the schedule).
    ward text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('device', 'schedule')),
    -- The fingerprint of the device it is about ('' for the schedule) and of its signer.
    about text NOT NULL,
    signer text NOT NULL,
    statement bytea NOT NULL,
    signature bytea NOT NULL,
    pushed_by name NOT NULL DEFAULT session_user,
    pushed_at timestamptz NOT NULL DEFAULT now()
);

CREATE TRIGGER notices_insert_only BEFORE UPDATE OR DELETE ON notices
    FOR EACH STATEMENT EXECUTE FUNCTION hub_insert_only();

CREATE FUNCTION hub_stamp_notice() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.pushed_by := session_user;
    NEW.pushed_at := now();
    RETURN NEW;
END $$;
CREATE TRIGGER notices_stamp_push BEFORE INSERT ON notices
    FOR EACH ROW EXECUTE FUNCTION hub_stamp_notice();

GRANT SELECT, INSERT ON notices TO sinhke_member;
ALTER TABLE notices ENABLE ROW LEVEL SECURITY;
CREATE POLICY ward_reads ON notices FOR SELECT USING (hub_may_read(ward));
CREATE POLICY ward_writes ON notices FOR INSERT WITH CHECK (hub_may_write(ward));

-- Every client checks the hub's schema before an exchange.
GRANT SELECT ON hub_migrations TO sinhke_member;
