-- Borrowers of one title in one call (issue #6: 5,000 borrowers of one title answered within 5 s).
--
-- A storm is CPU-bound: with every borrow its own call, transaction, commit, advisory lock and WAL
-- flush, a borrower cost about 3.3 ms of CPU (app and PostgreSQL, pg_stat_statements and CPU
-- counters in `npm run bench lending`), and 5,000 of them cannot finish in 5 s on two cores. The
-- service (digital-lanes.ts) now sends the borrowers of one title that arrive while a call for
-- that title is running as ONE call of eenbieb_borrow_digital_batch: one transaction, one title
-- lookup, one queue counter update for all of them, one set-based insert of their holds and one
-- flush (group commit, done by hand).
--
-- The batch takes only the plain case: a member in good standing, without an open loan, an
-- active hold or an offer on the title, under their limits. Every other borrower comes back as
-- 'single' and the service runs the one-borrower call (eenbieb_borrow_digital) for them, which
-- refuses or takes the offer exactly as before. Nothing in the batch catches an error per
-- borrower: a BEGIN … EXCEPTION block per hold is a subtransaction with its own transaction id,
-- and past 64 of them in one transaction every other backend's snapshot checks go through
-- pg_subtrans (an earlier try at this measured 6.6 ms per borrower). Should a constraint still
-- refuse someone (a limit reached by a concurrent request of the same member between the check
-- and the insert), the whole batch rolls back and the service runs each borrower alone: the
-- triggers, unique indexes and CHECKs of 0070 stay the judges, the batch only checks first.

-- The standing of a borrower as data: 0095's eenbieb_lending_borrower without the raise, so a
-- batch can sort out the borrowers it leaves to the one-borrower call. `refusal` is the code
-- eenbieb_lending_borrower raises (with `refusal_detail`), NULL for a member in good standing.
CREATE FUNCTION eenbieb_borrower_standing(lib uuid, card text, acc uuid, at timestamptz,
  OUT account_id uuid, OUT plan_id uuid, OUT max_physical integer, OUT max_digital integer, OUT max_holds integer, OUT loan_period_days integer,
  OUT refusal text, OUT refusal_detail jsonb)
LANGUAGE plpgsql AS $$
DECLARE
  r record;
  reasons text[] := '{}';
BEGIN
  IF card IS NOT NULL THEN
    SELECT m.account_id, m.valid_until, p.id AS plan_id, p.kind, p.max_physical_loans, p.max_digital_loans, p.max_holds, p.loan_period_days,
           (SELECT coalesce(sum(c.amount_cents), 0)::int FROM charge c WHERE c.library_id = m.library_id AND c.account_id = m.account_id AND c.paid_at IS NULL) AS owed,
           coalesce((SELECT s.block_threshold_cents FROM lending_settings s WHERE s.library_id = m.library_id), 1000) AS threshold
    INTO r FROM membership m JOIN plan p ON p.library_id = m.library_id AND p.id = m.plan_id
    WHERE m.library_id = lib AND m.status = 'active' AND m.card_number = card LIMIT 1;
  ELSE
    SELECT m.account_id, m.valid_until, p.id AS plan_id, p.kind, p.max_physical_loans, p.max_digital_loans, p.max_holds, p.loan_period_days,
           (SELECT coalesce(sum(c.amount_cents), 0)::int FROM charge c WHERE c.library_id = m.library_id AND c.account_id = m.account_id AND c.paid_at IS NULL) AS owed,
           coalesce((SELECT s.block_threshold_cents FROM lending_settings s WHERE s.library_id = m.library_id), 1000) AS threshold
    INTO r FROM membership m JOIN plan p ON p.library_id = m.library_id AND p.id = m.plan_id
    WHERE m.library_id = lib AND m.status = 'active' AND m.account_id = acc LIMIT 1;
  END IF;
  IF r.account_id IS NULL THEN refusal := 'LENDING_MEMBER_NOT_FOUND'; refusal_detail := '{}'; RETURN; END IF;
  IF r.kind <> 'lending' THEN refusal := 'LENDING_NO_LENDING_PLAN'; refusal_detail := '{}'; RETURN; END IF;
  IF r.owed > r.threshold THEN reasons := reasons || 'fees'::text; END IF;
  IF r.valid_until IS NOT NULL AND ((r.valid_until + time '23:59:59') AT TIME ZONE 'UTC') < at - interval '24 hours' THEN
    reasons := reasons || 'expired'::text;
  END IF;
  IF cardinality(reasons) > 0 THEN
    refusal := 'LENDING_MEMBER_BLOCKED'; refusal_detail := jsonb_build_object('reasons', to_jsonb(reasons), 'owedCents', r.owed);
    RETURN;
  END IF;
  account_id := r.account_id; plan_id := r.plan_id; max_physical := r.max_physical_loans; max_digital := r.max_digital_loans;
  max_holds := r.max_holds; loan_period_days := r.loan_period_days;
END
$$;

-- 0095's borrower of a check-out, now over the standing above (one definition of the rules).
CREATE OR REPLACE FUNCTION eenbieb_lending_borrower(lib uuid, card text, acc uuid, at timestamptz,
  OUT account_id uuid, OUT plan_id uuid, OUT max_physical integer, OUT max_digital integer, OUT max_holds integer, OUT loan_period_days integer)
LANGUAGE plpgsql AS $$
DECLARE
  s record;
BEGIN
  SELECT * INTO s FROM eenbieb_borrower_standing(lib, card, acc, at);
  IF s.refusal IS NOT NULL THEN PERFORM eenbieb_refuse(s.refusal, s.refusal_detail); END IF;
  account_id := s.account_id; plan_id := s.plan_id; max_physical := s.max_physical; max_digital := s.max_digital;
  max_holds := s.max_holds; loan_period_days := s.loan_period_days;
END
$$;

-- Borrow one digital title for several members of one library at once, in arrival order: a loan
-- for each while a licence is free and nobody (not paused) waits, then a place in the queue for
-- the rest. One row per borrower, `n` their place in the arrays; outcome 'single' leaves that
-- borrower to eenbieb_borrow_digital (see above). Commits without waiting for the WAL flush, like
-- eenbieb_borrow_digital: the caller answers only after eenbieb_wal_flushed().
CREATE FUNCTION eenbieb_borrow_digital_batch(lib uuid, tid uuid, accs uuid[], autos boolean[], chans text[], ats timestamptz[])
RETURNS TABLE (n integer, outcome text, loan_id uuid, hold_id uuid, title text, due_at timestamptz, grant_id uuid, provider text,
               open_access_url text, "position" integer, pools jsonb)
LANGUAGE plpgsql AS $$
DECLARE
  t record;
  c record;
  p license_pool;
  l record;
  singles integer[] := '{}';
  queued integer[] := '{}';
  k integer;
  seq bigint;
  act integer;
  seen jsonb;
  lending boolean;
BEGIN
  PERFORM eenbieb_enter_tenant(lib);
  PERFORM set_config('synchronous_commit', 'off', true);
  SELECT tt.id, tt.title, tt.open_access_url, tt.owner_library_id INTO t FROM title tt WHERE tt.id = tid;
  IF t.id IS NULL OR (t.owner_library_id IS NOT NULL AND t.owner_library_id <> lib)
     OR NOT EXISTS (SELECT 1 FROM license_pool lp WHERE lp.title_id = tid) THEN
    -- the one-borrower call gives the refusal (unknown title, not digital here)
    RETURN QUERY SELECT g.i, 'single'::text, NULL::uuid, NULL::uuid, NULL::text, NULL::timestamptz, NULL::uuid, NULL::text, NULL::text, NULL::integer, NULL::jsonb
      FROM generate_series(1, cardinality(accs)) AS g(i);
    RETURN;
  END IF;
  -- a newcomer borrows only while nobody (not paused) waits; a look without locks first
  lending := (SELECT q.library_id FROM eenbieb_digital_queue_next(tid) q) IS NULL AND (eenbieb_pool_pick(tid, ats[1], false)).id IS NOT NULL;
  -- every borrower's standing, open loan or active hold on the title, and counters, in one pass
  FOR c IN
    SELECT x.i::integer AS i, x.acc, s.refusal, s.max_digital, s.max_holds,
           EXISTS (SELECT 1 FROM loan ll WHERE ll.library_id = lib AND ll.account_id = x.acc AND ll.title_id = tid AND ll.kind = 'digital' AND ll.status = 'open')
           OR EXISTS (SELECT 1 FROM hold hh WHERE hh.library_id = lib AND hh.account_id = x.acc AND hh.title_id = tid AND hh.kind = 'digital'
                        AND hh.status IN ('waiting', 'in_transit', 'ready')) AS busy,
           coalesce(lm.digital_loans, 0) AS digital, coalesce(lm.holds, 0) AS holds
    FROM unnest(accs) WITH ORDINALITY AS x(acc, i)
    CROSS JOIN LATERAL eenbieb_borrower_standing(lib, NULL, x.acc, ats[x.i]) s
    LEFT JOIN lending_member lm ON lm.library_id = lib AND lm.account_id = x.acc
    ORDER BY x.i
  LOOP
    -- refused, already borrowing or waiting (or an offer to take), or twice in this batch: alone
    IF c.refusal IS NOT NULL OR c.busy OR c.acc = ANY (accs[1:c.i - 1]) THEN
      singles := singles || c.i;
      CONTINUE;
    END IF;
    IF lending THEN
      p := eenbieb_pool_pick(tid, ats[c.i], true);
      IF p.id IS NULL THEN
        lending := false;
      ELSIF c.max_digital IS NULL OR c.digital >= c.max_digital THEN
        singles := singles || c.i;  -- the one-borrower call refuses: digital limit
        CONTINUE;
      ELSE
        SELECT * INTO l FROM eenbieb_lend_digital(lib, c.acc, c.max_digital, p, chans[c.i], ats[c.i]);
        RETURN QUERY SELECT c.i, 'loan'::text, l.loan_id, NULL::uuid, t.title::text, l.due_at, l.grant_id, p.provider::text, t.open_access_url::text, NULL::integer, NULL::jsonb;
        CONTINUE;
      END IF;
    END IF;
    IF c.max_holds IS NULL OR c.holds >= c.max_holds THEN
      singles := singles || c.i;  -- the one-borrower call refuses: hold limit
      CONTINUE;
    END IF;
    queued := queued || c.i;
  END LOOP;

  k := cardinality(queued);
  IF k > 0 THEN
    -- the pools as seen now, for the wait estimate (read before the serial section below)
    SELECT jsonb_agg(jsonb_build_object('id', lp.id, 'model', lp.model, 'concurrency', lp.concurrency, 'loansTotal', lp.loans_total,
         'validUntil', lp.valid_until, 'inUse', lp.in_use, 'loansUsed', lp.loans_used, 'offered', lp.offered, 'priority', lp.priority,
         'loanPeriodDays', lp.loan_period_days)) INTO seen FROM license_pool lp WHERE lp.title_id = tid;
    -- the serial section of 0097, once for all k: their places k at a time, counted in one update
    PERFORM pg_advisory_xact_lock(6, hashtext(tid::text));
    INSERT INTO digital_queue AS q (title_id, last_seq, active) VALUES (tid, k, k)
      ON CONFLICT (title_id) DO UPDATE SET last_seq = q.last_seq + k, active = q.active + k RETURNING q.last_seq, q.active INTO seq, act;
    RETURN QUERY
      WITH placed AS (
        INSERT INTO hold (library_id, account_id, kind, title_id, queue_seq, auto_checkout, created_at)
        SELECT lib, accs[x.i], 'digital', tid, seq - k + x.o, coalesce(autos[x.i], false), ats[x.i]
        FROM unnest(queued) WITH ORDINALITY AS x(i, o)
        RETURNING hold.id, hold.queue_seq)
      SELECT x.i::integer, 'hold'::text, NULL::uuid, pl.id, t.title::text, NULL::timestamptz, NULL::uuid, NULL::text, NULL::text,
             (act - k + x.o)::integer, seen
      FROM unnest(queued) WITH ORDINALITY AS x(i, o) JOIN placed pl ON pl.queue_seq = seq - k + x.o;
  END IF;
  RETURN QUERY SELECT g.i, 'single'::text, NULL::uuid, NULL::uuid, NULL::text, NULL::timestamptz, NULL::uuid, NULL::text, NULL::text, NULL::integer, NULL::jsonb
    FROM unnest(singles) AS g(i);
END
$$;
