-- sinhke hub, schema 3: the de-identified view for the province and the ministry,
-- written whole by a supervisor's sinhke (`sinhke hub publish`, and after each of its
-- pulls once published), read by supervisors and by read-only logins (sinhke_reader)
-- that a dashboard tool or Excel connects with. It holds codes, wards, closed-list
-- codes, dates and figures: no table here has a column for a name, a phone, an address
-- or a note. With the small-count rule only analytics_summary is filled. Each table has
-- a primary key so that logical replication to a ministry server can carry a publish's
-- deletes (docs/scale.md).

CREATE FUNCTION hub_is_supervisor() RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT EXISTS (
        SELECT 1 FROM public.hub_roles r WHERE r.login = session_user AND r.ward IS NULL)
$$;
REVOKE ALL ON FUNCTION hub_is_supervisor() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hub_is_supervisor() TO sinhke_member;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sinhke_reader') THEN
        CREATE ROLE sinhke_reader NOLOGIN;
    END IF;
END $$;

CREATE TABLE analytics_people (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code text NOT NULL,
    ward text NOT NULL,
    sex text NOT NULL,
    age_band text NOT NULL,
    target_groups text NOT NULL,
    status text NOT NULL,
    enrolled_on date NOT NULL
);

CREATE TABLE analytics_grants (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code text NOT NULL,
    ward text NOT NULL,
    kind text NOT NULL,
    value_dong bigint NOT NULL,
    handed_over_on date NOT NULL
);

CREATE TABLE analytics_visits (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code text NOT NULL,
    ward text NOT NULL,
    kind text NOT NULL,
    due_on date NOT NULL,
    done_on date,
    status text NOT NULL,
    business_operating boolean,
    animals_alive bigint,
    monthly_income_dong bigint
);

CREATE TABLE analytics_referrals (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code text NOT NULL,
    ward text NOT NULL,
    service text NOT NULL,
    status text NOT NULL,
    made_on date NOT NULL
);

-- Every figure of the summaries: which summary, which row (its labels, in
-- Vietnamese), which column; a withheld figure has no value and says what an export
-- shows instead ('<11', 'x').
CREATE TABLE analytics_summary (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    summary text NOT NULL,
    row_no integer NOT NULL,
    label text NOT NULL,
    measure text NOT NULL,
    unit text NOT NULL,
    value double precision,
    withheld text NOT NULL
);

-- When the view was last written, by whom, and under which small-count rule.
CREATE TABLE analytics_published (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    published_at timestamptz NOT NULL DEFAULT now(),
    published_by name NOT NULL DEFAULT session_user,
    suppress_below integer,
    people integer NOT NULL
);

CREATE INDEX analytics_people_ward ON analytics_people (ward);
CREATE INDEX analytics_grants_ward ON analytics_grants (ward);
CREATE INDEX analytics_visits_ward ON analytics_visits (ward);
CREATE INDEX analytics_referrals_ward ON analytics_referrals (ward);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['analytics_people', 'analytics_grants', 'analytics_visits',
                             'analytics_referrals', 'analytics_summary', 'analytics_published']
    LOOP
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO sinhke_member', t);
        EXECUTE format('GRANT SELECT ON %I TO sinhke_reader', t);
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY supervisors ON %I TO sinhke_member
                        USING (hub_is_supervisor()) WITH CHECK (hub_is_supervisor())', t);
        EXECUTE format('CREATE POLICY readers ON %I FOR SELECT TO sinhke_reader USING (true)', t);
    END LOOP;
END $$;
