-- What a group commit costs PostgreSQL, cut (about 2.4 ms of CPU per
-- commit of 20 appends before, measured with BenchmarkCommitCPU).
--
-- Events no longer reference sessions by a foreign key. The key checked
-- each event row as it was inserted, with a query of its own that also
-- locked the session's row (FOR KEY SHARE: a WAL record of its own), about
-- half the cost of the insert. The heads row stands in for it: an append
-- links its events to its session's head under that row's lock, in the
-- same transaction; the heads row references the session; sessions are
-- never deleted. So no event can name a session that does not exist.
ALTER TABLE events DROP CONSTRAINT events_session_fkey;

-- parley_move_heads moves the heads of a batch's sessions (ids, in the
-- order given, which is the order their rows are locked in: callers sort
-- them, so that two batches cannot deadlock) from (from_events,
-- from_heads) to (to_events, to_heads), each by the primary key's index,
-- and fails with SQLSTATE PH001, rolling the batch back, unless every head
-- is where the batch found it. A head another transaction holds is waited
-- for and checked as that one left it (UPDATE's READ COMMITTED recheck).
-- So a batch that linked its events to the heads it remembers locks,
-- checks and moves them in this one statement. A single UPDATE ... FROM
-- unnest(...) did the same with a hash join over the whole heads table,
-- in whatever order the table is stored.
CREATE FUNCTION parley_move_heads(ids text[], from_events bigint[], from_heads bytea[], to_events bigint[], to_heads bytea[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1 .. coalesce(array_length(ids, 1), 0) LOOP
        UPDATE heads SET events = to_events[i], head = to_heads[i]
            WHERE session = ids[i] AND events = from_events[i] AND head = from_heads[i];
        IF NOT FOUND THEN
            RAISE EXCEPTION 'parley: the head of session % is no longer at % events', ids[i], from_events[i]
                USING ERRCODE = 'PH001';
        END IF;
    END LOOP;
END
$$;
