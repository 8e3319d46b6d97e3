-- bot.realtime_events: the realtime events after a cursor, oldest first, for
-- the SSE relay (live) and for replay (Last-Event-ID).
--
-- An event's key is (txid, kind_no, id): kind_no 1 verification (channel
-- dashboard, a verification_log row), 2 status_changed (bot_status, outbox),
-- 3 command_updated (commands, outbox), 4 new_log (logs, an admin_logs row
-- at INFO or above). One key orders every channel, so one cursor resumes
-- any set of channels.
--
-- ready is true when no transaction older than the event is still running
-- (txid < pg_snapshot_xmin of this statement's snapshot): only such events
-- may be delivered, or a row that commits late could land behind a cursor
-- already handed out. Rows not ready sort after every ready row. The
-- optional upper bound (p_until_*) makes a replay stop exactly where the
-- live relay took over. Stable, so the query sees the caller's snapshot.
-- plpgsql (one RETURN QUERY) rather than sql: a non-inlinable sql function
-- is planned again on every call, and the relay calls this on every
-- doorbell; plpgsql keeps the plan.
create function bot.realtime_events(
    p_after_txid xid8,
    p_after_kind integer,
    p_after_id bigint,
    p_channels text[],
    p_limit integer,
    p_until_txid xid8 default null,
    p_until_kind integer default null,
    p_until_id bigint default null
) returns table (txid xid8, kind_no integer, id bigint, channel text, kind text, data jsonb, ready boolean)
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
begin
    return query
    with horizon as (
        select pg_snapshot_xmin(pg_current_snapshot()) as xmin
    ), ev as (
        (select v.txid, 1 as kind_no, v.id, 'dashboard'::text as channel, 'verification'::text as kind,
                to_jsonb(v) - 'txid' as data
         from nezuko.verification_log v
         where 'dashboard' = any (p_channels)
           and v.txid >= p_after_txid
           and (v.txid, 1, v.id) > (p_after_txid, p_after_kind, p_after_id)
           and (p_until_txid is null or (v.txid, 1, v.id) <= (p_until_txid, p_until_kind, p_until_id))
         order by v.txid, v.id
         limit p_limit)
        union all
        -- A command_updated event stores the row (command), rendered here;
        -- status_changed events and older command ones store JSON (data).
        (select e.txid, case e.kind when 'status_changed' then 2 else 3 end, e.id, e.channel, e.kind,
                coalesce(e.data, to_jsonb(e.command))
         from nezuko.realtime_events e
         where e.channel = any (p_channels)
           and e.txid >= p_after_txid
           and (e.txid, case e.kind when 'status_changed' then 2 else 3 end, e.id) > (p_after_txid, p_after_kind, p_after_id)
           and (p_until_txid is null
                or (e.txid, case e.kind when 'status_changed' then 2 else 3 end, e.id) <= (p_until_txid, p_until_kind, p_until_id))
         order by e.txid, e.id
         limit p_limit)
        union all
        (select l.txid, 4, l.id, 'logs'::text, 'new_log'::text, to_jsonb(l) - 'txid'
         from nezuko.admin_logs l
         where 'logs' = any (p_channels)
           and l.level <> 'DEBUG'
           and l.txid >= p_after_txid
           and (l.txid, 4, l.id) > (p_after_txid, p_after_kind, p_after_id)
           and (p_until_txid is null or (l.txid, 4, l.id) <= (p_until_txid, p_until_kind, p_until_id))
         order by l.txid, l.id
         limit p_limit)
    )
    select ev.txid, ev.kind_no, ev.id, ev.channel, ev.kind, ev.data, ev.txid < horizon.xmin
    from ev, horizon
    order by ev.txid, ev.kind_no, ev.id
    limit p_limit;
end
$$;
comment on function bot.realtime_events(xid8, integer, bigint, text[], integer, xid8, integer, bigint) is 'Realtime events after the cursor (txid, kind_no, id) on the given channels, oldest first; ready = safe to deliver (no older transaction still running).';
grant execute on function bot.realtime_events(xid8, integer, bigint, text[], integer, xid8, integer, bigint) to nezuko_bridge;
