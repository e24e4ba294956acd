-- A digital title (e-book, audiobook) has no physical copies (issue #4).
--
-- An e-book or a downloadable audiobook is lent as a licence or read online, never from a shelf:
-- a copy on one is a cataloguing mistake (the copy belongs to the book or the audio CD of the same
-- work). Until now nothing refused one. The staff API and the MARC import now say so before
-- writing (catalogue.service.ts, marc-import.service.ts); this constraint is the rule itself, so no
-- path and no race can break it.
--
-- It is written over title.holdings (0104): the branches with a copy of the title that is not
-- missing or withdrawn, kept by the triggers on item. A copy put on a digital title, or brought
-- back from missing, makes its holdings non-empty and the statement fails; so does turning a held
-- title into a digital format. Missing and withdrawn copies stay allowed: they count nowhere, and
-- the history of a copy wrongly put on an e-book is kept once it is withdrawn.
--
-- The search relies on it: a digital candidate is not probed for copies (discovery.repository.ts),
-- a quarter of the candidates of a very common word on the national benchmark catalogue.
--
-- The list of formats is FORMAT_INFO's digital ones (formats.ts); a test checks they agree.
DO $$
DECLARE
  n bigint;
BEGIN
  SELECT count(*) INTO n FROM title WHERE format IN ('ebook', 'audiobook') AND holdings <> '{}';
  IF n > 0 THEN
    RAISE EXCEPTION '% digital title(s) (e-book, audiobook) hold physical copies that are not missing or withdrawn', n
      USING HINT = 'Move those copies to the title of the physical edition, or withdraw them, then migrate again.';
  END IF;
END
$$;
ALTER TABLE title ADD CONSTRAINT title_digital_has_no_copies CHECK (format NOT IN ('ebook', 'audiobook') OR holdings = '{}');
