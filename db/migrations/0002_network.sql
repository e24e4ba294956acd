-- The network: municipalities (CBS 2023), PC4 postcode areas, libraries, their service areas,
-- branches and opening hours.

-- Network-level reference tables (no library_id): readable by the app role, written only by the
-- owner (seed, CLI).
CREATE TABLE municipality (
  code          text PRIMARY KEY CHECK (code ~ '^GM[0-9]{4}$'),
  name          text NOT NULL,
  province_code text NOT NULL CHECK (province_code ~ '^PV[0-9]{2}$'),
  province_name text NOT NULL,
  -- sum of the PC4 areas' inhabitants (CBS, about 1 Jan 2021) mapped onto 2023 boundaries
  inhabitants   integer CHECK (inhabitants >= 0)
);

CREATE TABLE postcode_area (
  pc4                      text PRIMARY KEY CHECK (pc4 ~ '^[1-9][0-9]{3}$'),
  -- NULL for post-box and business-only areas: they route nowhere
  municipality_code        text REFERENCES municipality (code),
  place                    text,
  inhabitants              integer CHECK (inhabitants >= 0),
  -- the municipality name in CBS's 2021 classification, kept so the 2023 mapping can be audited
  source_municipality_name text
);
CREATE INDEX postcode_area_municipality_idx ON postcode_area (municipality_code);

CREATE TABLE library (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug       text NOT NULL UNIQUE
             CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 60
                    AND slug NOT IN ('api', 'static', 'healthz', 'readyz', 'metrics', 'docs', 'favicon.ico', 'robots.txt')),
  name       text NOT NULL CHECK (length(name) BETWEEN 2 AND 120),
  short_name text NOT NULL CHECK (length(short_name) BETWEEN 1 AND 40),
  kind       text NOT NULL CHECK (kind IN ('city', 'regional')),
  -- brand tokens (colours); checked for contrast by the seed and the admin service
  brand      jsonb NOT NULL,
  logo_svg   text NOT NULL,
  email      text NOT NULL,
  phone      text NOT NULL,
  modules    text[] NOT NULL DEFAULT '{}',
  settings   jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT ON municipality, postcode_area, library TO eenbieb_app;

-- Which library carries each municipality's duty of care. A reference table that carries a
-- library_id: it is under RLS like every such table, with a public read policy, because which
-- library serves which municipality is public information that postcode routing needs.
CREATE TABLE library_service_area (
  library_id        uuid NOT NULL REFERENCES library (id),
  municipality_code text NOT NULL REFERENCES municipality (code),
  PRIMARY KEY (library_id, municipality_code),
  -- exactly one library per municipality (coverage of all 342 is checked by a test)
  UNIQUE (municipality_code)
);
ALTER TABLE library_service_area ENABLE ROW LEVEL SECURITY;
ALTER TABLE library_service_area FORCE ROW LEVEL SECURITY;
CREATE POLICY public_read ON library_service_area FOR SELECT USING (true);
GRANT SELECT ON library_service_area TO eenbieb_app;

-- Library-level tables.
CREATE TABLE branch (
  library_id        uuid NOT NULL REFERENCES library (id),
  id                uuid NOT NULL DEFAULT gen_random_uuid(),
  slug              text NOT NULL CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  name              text NOT NULL,
  street            text NOT NULL,
  house_number      text NOT NULL,
  postcode          text NOT NULL CHECK (postcode ~ '^[1-9][0-9]{3} [A-Z]{2}$'),
  city              text NOT NULL,
  municipality_code text NOT NULL REFERENCES municipality (code),
  phone             text,
  email             text,
  PRIMARY KEY (library_id, id),
  UNIQUE (library_id, slug)
);
SELECT eenbieb_enable_tenancy('branch');

-- Regular weekly hours; a day may have several intervals (closed over lunch).
CREATE TABLE branch_opening_hours (
  library_id uuid NOT NULL,
  branch_id  uuid NOT NULL,
  weekday    smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7), -- ISO 8601: 1 = Monday
  opens      time NOT NULL,
  closes     time NOT NULL CHECK (closes > opens),
  PRIMARY KEY (library_id, branch_id, weekday, opens),
  FOREIGN KEY (library_id, branch_id) REFERENCES branch (library_id, id) ON DELETE CASCADE
);
SELECT eenbieb_enable_tenancy('branch_opening_hours');

-- Exceptions replace a date's regular hours: closed (no times) or different hours.
CREATE TABLE branch_opening_exception (
  library_id uuid NOT NULL,
  branch_id  uuid NOT NULL,
  date       date NOT NULL,
  opens      time,
  closes     time,
  reason_nl  text NOT NULL,
  reason_en  text NOT NULL,
  CHECK ((opens IS NULL) = (closes IS NULL)),
  CHECK (closes > opens),
  PRIMARY KEY (library_id, branch_id, date),
  FOREIGN KEY (library_id, branch_id) REFERENCES branch (library_id, id) ON DELETE CASCADE
);
SELECT eenbieb_enable_tenancy('branch_opening_exception');
