-- The catalogue (issue #4): works, titles (editions and formats of a work), contributors, and the
-- physical items a library holds. Titles are network-level: the national catalogue has no owner;
-- a local-only title has an owner library (owner_library_id — deliberately not named library_id,
-- because title is not a tenant table: it is shared, and only its visibility depends on the owner).

-- Dutch full text with accent folding. unaccent() is STABLE (its dictionary could change), so it
-- cannot be used in an index or a generated value; this wrapper names the dictionary explicitly and
-- is declared IMMUTABLE, which is the documented way to index unaccented text. If the unaccent rules
-- ever change, reindex.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE FUNCTION eenbieb_fold(text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$;

-- A work groups the editions and formats of one creation (the book, the e-book and the audiobook
-- of "Max Havelaar"), so a title page shows them together.
CREATE TABLE work (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owner_library_id uuid REFERENCES library (id),
  created_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE contributor (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name       text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 300),
  -- "Multatuli", "Vestdijk, Simon": how the name files in an index
  sort_name  text NOT NULL
);

CREATE TABLE title (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  work_id           uuid NOT NULL REFERENCES work (id),
  -- NULL: national catalogue, visible in every portal. Otherwise a local-only title.
  owner_library_id  uuid REFERENCES library (id),
  -- where the record came from, for idempotent re-imports: ('dbnl', 'cast005hist01'),
  -- ('marc', '<001 control number>'), ('local', …)
  source            text NOT NULL CHECK (source ~ '^[a-z0-9_-]{1,20}$'),
  source_id         text NOT NULL CHECK (length(source_id) BETWEEN 1 AND 100),
  format            text NOT NULL CHECK (format IN (
                      'book', 'large_print', 'ebook', 'audiobook', 'audio_cd', 'magazine', 'dvd', 'bluray',
                      'game', 'sheet_music', 'map', 'other')),
  title             text NOT NULL CHECK (length(title) BETWEEN 1 AND 1000),
  subtitle          text,
  -- leading article removed, folded: "Het boek" files under b
  sort_title        text NOT NULL DEFAULT '',
  -- display form of the contributors ("Multatuli; Gerard Reve (vert.)"), kept by the repository in
  -- the same statement that writes title_contributor; it feeds the search document
  contributor_names text NOT NULL DEFAULT '',
  -- ISO 639-2/B, as in MARC 008/35-37 ('dut', 'eng', 'fry')
  language          text CHECK (language ~ '^[a-z]{3}$'),
  year              smallint CHECK (year BETWEEN 0 AND 2200),
  -- the year as the source states it: 'ca. 1750', '1955-1956'
  year_display      text,
  edition           text,
  publisher         text,
  series            text,
  series_number     text,
  genres            text[] NOT NULL DEFAULT '{}',
  subjects          text[] NOT NULL DEFAULT '{}',
  audience          text CHECK (audience IN ('toddlers', 'children', 'young_adults', 'adults')),
  -- AVI reading level of children's books (the Dutch technical reading scale)
  avi_level         text CHECK (avi_level IN ('Start', 'M3', 'E3', 'M4', 'E4', 'M5', 'E5', 'M6', 'E6', 'M7', 'E7', 'Plus')),
  -- normalised ISBN-13 (ISBN-10 is converted on the way in; check digit validated by the service)
  isbn              text CHECK (isbn ~ '^97[89][0-9]{10}$'),
  -- Pica Production Number of the Dutch union catalogue (GGC): 8 digits and a check character
  ppn               text CHECK (ppn ~ '^[0-9]{8}[0-9X]$'),
  description       text,
  -- open-access content (DBNL's own EPUB/PDF): digital titles with it can be read now by anyone.
  -- Licensed content and its pools belong to the lending issue.
  open_access_url   text CHECK (open_access_url ~ '^https://'),
  -- a stored popularity (loans and holds of the last year, refreshed by lending); ranks and bounds
  -- the candidates of very common words
  popularity        integer NOT NULL DEFAULT 0 CHECK (popularity >= 0),
  search_vector     tsvector NOT NULL DEFAULT ''::tsvector,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE NULLS NOT DISTINCT (owner_library_id, source, source_id)
);
CREATE INDEX title_work_idx ON title (work_id);
CREATE INDEX title_search_idx ON title USING gin (search_vector);
CREATE INDEX title_popularity_idx ON title (popularity DESC, id);
CREATE INDEX title_isbn_idx ON title (isbn) WHERE isbn IS NOT NULL;
CREATE INDEX title_ppn_idx ON title (ppn) WHERE ppn IS NOT NULL;
CREATE INDEX title_owner_idx ON title (owner_library_id) WHERE owner_library_id IS NOT NULL;

-- The search document: field weights title (A) > contributors (B) > subjects and genres (C) >
-- description (D), Dutch stemming over accent-folded text. Kept by a trigger so every writer
-- (seed, MARC import, staff edits) produces the same document.
CREATE FUNCTION eenbieb_title_search() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  NEW.sort_title := regexp_replace(eenbieb_fold(NEW.title), '^(de|het|een|the|a|an|le|la|les|l''|der|die|das)\s+', '');
  NEW.search_vector :=
       setweight(to_tsvector('dutch', eenbieb_fold(concat_ws(' ', NEW.title, NEW.subtitle, NEW.series))), 'A')
    || setweight(to_tsvector('dutch', eenbieb_fold(NEW.contributor_names)), 'B')
    || setweight(to_tsvector('dutch', eenbieb_fold(array_to_string(NEW.subjects || NEW.genres, ' '))), 'C')
    || setweight(to_tsvector('dutch', eenbieb_fold(coalesce(NEW.description, ''))), 'D');
  NEW.updated_at := now();
  RETURN NEW;
END
$fn$;
CREATE TRIGGER title_search BEFORE INSERT OR UPDATE ON title FOR EACH ROW EXECUTE FUNCTION eenbieb_title_search();

CREATE TABLE title_contributor (
  title_id       uuid NOT NULL REFERENCES title (id) ON DELETE CASCADE,
  position       smallint NOT NULL CHECK (position >= 0),
  contributor_id uuid NOT NULL REFERENCES contributor (id),
  -- MARC relator code: aut (author), ill (illustrator), trl (translator), edt (editor), nrt (narrator) …
  role           text NOT NULL CHECK (role ~ '^[a-z]{3}$'),
  PRIMARY KEY (title_id, position)
);
CREATE INDEX title_contributor_contributor_idx ON title_contributor (contributor_id);

-- Visibility of local-only titles, decided in the database: the application role sees national
-- titles and the titles its own tenant owns; with no tenant set (network path) only national ones.
-- The owner (migrations, seed, MARC import CLI) is not subject to it (RLS is not forced here).
ALTER TABLE work ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible ON work FOR SELECT
  USING (owner_library_id IS NULL OR owner_library_id = nullif(current_setting('app.library_id', true), '')::uuid);
ALTER TABLE title ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible ON title FOR SELECT
  USING (owner_library_id IS NULL OR owner_library_id = nullif(current_setting('app.library_id', true), '')::uuid);
GRANT SELECT ON work, title, contributor, title_contributor TO eenbieb_app;
-- TODO(#4): staff endpoints (add/edit local titles) need staff sessions from the membership work;
-- they will get INSERT/UPDATE policies limited to owner_library_id = the tenant.

-- Physical copies: library-level (tenant) rows.
CREATE TABLE item (
  library_id  uuid NOT NULL REFERENCES library (id),
  id          uuid NOT NULL DEFAULT gen_random_uuid(),
  title_id    uuid NOT NULL REFERENCES title (id),
  branch_id   uuid NOT NULL,
  -- the library's own barcode (digits with a Luhn check digit, validated by the service)
  barcode     text NOT NULL CHECK (barcode ~ '^[0-9]{8,14}$'),
  -- where it stands: "R VEST", "Jeugd AVI-E3", "Informatief 839.3"
  shelf       text NOT NULL DEFAULT '' CHECK (length(shelf) <= 100),
  status      text NOT NULL DEFAULT 'available' CHECK (status IN (
                'available', 'on_loan', 'in_transit', 'on_hold_shelf', 'in_processing', 'missing', 'withdrawn')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (library_id, id),
  UNIQUE (library_id, barcode),
  FOREIGN KEY (library_id, branch_id) REFERENCES branch (library_id, id)
);
CREATE INDEX item_title_idx ON item (library_id, title_id, branch_id, status);
SELECT eenbieb_enable_tenancy('item');
-- A library can hold copies of national titles and of its own local titles, never of another
-- library's local title: the subquery runs under title's visibility policy.
CREATE POLICY item_title_visible_insert ON item AS RESTRICTIVE FOR INSERT
  WITH CHECK (EXISTS (SELECT 1 FROM title t WHERE t.id = title_id));
CREATE POLICY item_title_visible_update ON item AS RESTRICTIVE FOR UPDATE
  USING (true) WITH CHECK (EXISTS (SELECT 1 FROM title t WHERE t.id = title_id));

-- Typo tolerance: the distinct words of the indexed text (accent-folded, unstemmed) with how many
-- titles use them. A misspelled query word is matched against this small table by trigram
-- similarity (fast), never against whole titles (slow). Rebuilt by eenbieb_refresh_vocabulary()
-- after a seed or import.
CREATE TABLE search_vocabulary (
  word text PRIMARY KEY,
  ndoc integer NOT NULL
);
CREATE INDEX search_vocabulary_trgm_idx ON search_vocabulary USING gin (word gin_trgm_ops);
GRANT SELECT ON search_vocabulary TO eenbieb_app;

CREATE FUNCTION eenbieb_refresh_vocabulary() RETURNS void LANGUAGE sql AS $fn$
  DELETE FROM search_vocabulary;
  INSERT INTO search_vocabulary (word, ndoc)
  SELECT word, ndoc FROM ts_stat($q$
      SELECT to_tsvector('simple', eenbieb_fold(concat_ws(' ', title, subtitle, series, contributor_names)))
      FROM title WHERE owner_library_id IS NULL $q$)
  WHERE length(word) BETWEEN 3 AND 40 AND word ~ '^[a-z][a-z0-9]*$';
$fn$;
