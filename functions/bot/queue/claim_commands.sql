-- bot.claim_commands: a worker takes up to p_limit due commands under a lease.
-- FOR UPDATE SKIP LOCKED lets many workers (goroutines or processes) claim
-- at once without waiting on each other or taking a row twice; the partial
-- index admin_commands_claim_idx (run_after, id) where pending serves the
-- scan. A worker claims commands for the bots it runs (p_bots) and commands
-- bound to no bot; p_bots null = it can act as any bot. The claim counts as an attempt.
-- started_at (the claim's now()) names the attempt: the worker hands it back
-- with every report (bot.plan_command, fail_command, complete_commands,
-- execute_command), which act only on the attempt that started then.
--
-- The claim commits asynchronously (synchronous_commit off for its
-- transaction): it needs no WAL flush of its own, because nothing it hands
-- out leaves the database before a later synchronous commit. A command
-- reaches Telegram only after bot.plan_command has committed its dispatch
-- mark synchronously, and PostgreSQL flushes WAL in order, so that flush
-- makes the claim durable too; a command run in SQL commits its effect after
-- the claim, so a crash keeps both or loses the effect with the claim. A
-- crash can lose a claim the worker already holds: the command is pending
-- again and is claimed anew with the same attempt number but a later
-- started_at, and the old holder's plan and reports no longer match it.
-- The pickup saves one WAL flush (an fsync) per claim; tests/bench/README.md,
-- command queue.
create function bot.claim_commands(
    p_worker        text,
    p_bots          bigint[],
    p_limit         integer,
    p_lease_seconds integer
) returns table (
    id               bigint,
    command_type     text,
    bot_instance_id  bigint,
    payload          jsonb,
    attempts         integer,
    max_attempts     integer,
    needs_bot        boolean,
    lease_expires_at timestamptz,
    started_at       timestamptz
)
language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
-- The plan of the claim is kept for the session, and a queue's size swings
-- from empty to tens of thousands of rows within seconds: a plan made
-- while the table looked small (statistics say a few rows) read the claimed
-- ids by a sequential scan of the whole table, each row tested against the
-- 256 ids (id = any (...) as a filter, not an index condition): ~80 ms per
-- claim of 256 at 40,000 rows, and a fifth of the server's CPU in
-- bench-queue (perf: int8eq and ExecEvalScalarArrayOp). Every statement
-- here has an index path; none is worth a sequential scan.
set enable_seqscan = off
as $$
-- PL/pgSQL rather than SQL for its plan cache: a SQL function with a SET
-- clause is planned again on every call (0.7 ms of a 1.0 ms empty claim
-- here), and the claim is on every command's pickup path.
declare
    v_claimed bigint;
begin
    return query
    -- The claimed ids go through an array (id = any (...), a primary-key
    -- lookup) rather than a join, so the plan cannot turn quadratic when the
    -- table's statistics are stale (a queue's row count swings all day).
    with claimed as (
        update nezuko.admin_commands c
        set status = 'running', attempts = c.attempts + 1, lease_owner = p_worker,
            lease_expires_at = now() + make_interval(secs => greatest(coalesce(p_lease_seconds,
                (select (value #>> '{}')::integer from nezuko.admin_config where key = 'command_lease_seconds'), 60), 1)),
            started_at = now(), error = null, dispatched_at = null,
            updated_at = now() -- so triggers.set_updated_at need not fire per row
        where c.id = any (array(
            select d.id
            from nezuko.admin_commands d
            where d.status = 'pending' and d.run_after <= now()
              and (p_bots is null or d.bot_instance_id is null or d.bot_instance_id = any (p_bots))
            order by d.run_after, d.id
            limit greatest(p_limit, 0)
            for update skip locked))
        returning c.id, c.command_type, c.bot_instance_id, c.payload, c.attempts, c.max_attempts, c.lease_expires_at,
                  c.started_at
    )
    select cl.id, cl.command_type, cl.bot_instance_id, cl.payload, cl.attempts, cl.max_attempts,
           t.needs_bot, cl.lease_expires_at, cl.started_at
    from claimed cl join nezuko.command_types t on t.name = cl.command_type
    order by cl.id;
    -- How many this transaction claimed (nezuko.claimed, transaction-local):
    -- the worker asks bot.next_command_due in the claim's round trip only
    -- after a short claim (gobridge/queue/claim.go). After a full one it
    -- claims again at once, and the question cost a scan past every row
    -- this very claim had just taken (about 1 ms per claim of 256).
    get diagnostics v_claimed = row_count;
    perform set_config('nezuko.claimed', v_claimed::text, true);
    -- Transaction-local: outlives this function (its SET clause names other
    -- settings) and ends with the claim's commit.
    perform set_config('synchronous_commit', 'off', true);
end
$$;
comment on function bot.claim_commands(text, bigint[], integer, integer) is
    'Claim up to p_limit due pending commands for worker p_worker (bound to one of p_bots or to no bot) under a lease of p_lease_seconds (null: admin_config command_lease_seconds).';
grant execute on function bot.claim_commands(text, bigint[], integer, integer) to nezuko_bridge;
