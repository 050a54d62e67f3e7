-- sinhke hub, schema 1. The versions every laptop exchanges, exactly as they travel in
-- bundles: the body is still encrypted to the province's supervisors and the ward, so
-- the server never holds a name, a phone or an address. Applied by `sinhke hub init`,
-- in one transaction, recorded in hub_migrations.

-- Which login works for which ward; a NULL ward is a supervisor of every ward of the hub.
CREATE TABLE hub_roles (
    login name PRIMARY KEY,
    ward text
);

CREATE TABLE versions (
    version_id bytea PRIMARY KEY,
    record_id bytea NOT NULL,
    -- A ward code, or '*' for the settings a supervisor publishes to every ward.
    ward text NOT NULL,
    kind smallint NOT NULL,
    parents bytea[] NOT NULL DEFAULT '{}',
    clock bigint NOT NULL,
    device bytea NOT NULL,
    signature bytea NOT NULL,
    body bytea NOT NULL,
    pushed_by name NOT NULL DEFAULT session_user,
    pushed_at timestamptz NOT NULL DEFAULT now(),
    -- The transaction that inserted the row. A pull reads what committed before the
    -- oldest transaction still running (pg_snapshot_xmin), so a version committed late
    -- by a slow transaction is read by the next pull, never skipped.
    xact xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX versions_by_xact ON versions (xact);

CREATE TABLE devices (
    fingerprint text PRIMARY KEY,
    ward text NOT NULL,
    public_keys bytea NOT NULL,
    pushed_at timestamptz NOT NULL DEFAULT now()
);

-- What each device has received: its acknowledgements, as a bundle carries them.
CREATE TABLE acks (
    device text NOT NULL,
    ward text NOT NULL,
    version_id bytea NOT NULL,
    PRIMARY KEY (device, version_id)
);

-- Versions are facts: once pushed, never changed or removed, by anyone.
CREATE FUNCTION hub_insert_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'sinhke hub: % is insert-only', TG_TABLE_NAME;
END $$;
CREATE TRIGGER versions_insert_only BEFORE UPDATE OR DELETE ON versions
    FOR EACH STATEMENT EXECUTE FUNCTION hub_insert_only();

-- Who pushed, when, and in which transaction are the server's to say, not the client's:
-- a version given an old transaction id would be skipped by every pull's cursor.
CREATE FUNCTION hub_stamp_push() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.pushed_by := session_user;
    NEW.pushed_at := now();
    NEW.xact := pg_current_xact_id();
    RETURN NEW;
END $$;
CREATE TRIGGER versions_stamp_push BEFORE INSERT ON versions
    FOR EACH ROW EXECUTE FUNCTION hub_stamp_push();

-- Whether the signed-in login may see a row of `w`: its own ward, every ward for a
-- supervisor, and the shared settings ('*') for everyone. Both functions run with their
-- owner's rights, so every name in them is qualified and pg_temp is searched last: a
-- login's own temporary table called hub_roles must not answer for the real one.
CREATE FUNCTION hub_may_read(w text) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT w = '*' OR EXISTS (
        SELECT 1 FROM public.hub_roles r
        WHERE r.login = session_user AND (r.ward IS NULL OR r.ward = w))
$$;

-- Whether it may write one: its own ward; a supervisor any ward and the shared settings.
CREATE FUNCTION hub_may_write(w text) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT EXISTS (
        SELECT 1 FROM public.hub_roles r
        WHERE r.login = session_user AND (r.ward IS NULL OR (r.ward = w AND w <> '*')))
$$;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sinhke_member') THEN
        CREATE ROLE sinhke_member NOLOGIN;
    END IF;
END $$;
GRANT USAGE ON SCHEMA public TO sinhke_member;
GRANT SELECT, INSERT ON versions, devices, acks TO sinhke_member;
REVOKE ALL ON hub_roles FROM PUBLIC;
REVOKE ALL ON FUNCTION hub_may_read(text), hub_may_write(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hub_may_read(text), hub_may_write(text) TO sinhke_member;

ALTER TABLE versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE devices ENABLE ROW LEVEL SECURITY;
ALTER TABLE acks ENABLE ROW LEVEL SECURITY;
CREATE POLICY ward_reads ON versions FOR SELECT USING (hub_may_read(ward));
CREATE POLICY ward_writes ON versions FOR INSERT WITH CHECK (hub_may_write(ward));
CREATE POLICY ward_reads ON devices FOR SELECT USING (hub_may_read(ward));
CREATE POLICY ward_writes ON devices FOR INSERT WITH CHECK (hub_may_write(ward));
CREATE POLICY ward_reads ON acks FOR SELECT USING (hub_may_read(ward));
CREATE POLICY ward_writes ON acks FOR INSERT WITH CHECK (hub_may_write(ward));
