-- bot.realtime_backlog: how many events a resuming client missed, counted
-- up to p_limit only: the relay asks it before a replay, so that a client
-- that missed too many gets its reset event first instead of a long replay,
-- without rendering a row (keys only, read from the (txid, id) indexes).
-- Same rows as bot.realtime_events between the cursor and p_until.
create function bot.realtime_backlog(
    p_after_txid xid8,
    p_after_kind integer,
    p_after_id bigint,
    p_channels text[],
    p_limit integer,
    p_until_txid xid8,
    p_until_kind integer,
    p_until_id bigint
) returns integer
language sql stable
set search_path = pg_catalog, pg_temp
as $$
    select count(*)::integer from (
        (select 1 from nezuko.verification_log v
         where 'dashboard' = any (p_channels)
           and v.txid >= p_after_txid and v.txid <= p_until_txid
           and (v.txid, 1, v.id) > (p_after_txid, p_after_kind, p_after_id)
           and (v.txid, 1, v.id) <= (p_until_txid, p_until_kind, p_until_id)
         limit p_limit)
        union all
        (select 1 from nezuko.realtime_events e
         where e.channel = any (p_channels)
           and e.txid >= p_after_txid and e.txid <= p_until_txid
           and (e.txid, case e.kind when 'status_changed' then 2 else 3 end, e.id) > (p_after_txid, p_after_kind, p_after_id)
           and (e.txid, case e.kind when 'status_changed' then 2 else 3 end, e.id) <= (p_until_txid, p_until_kind, p_until_id)
         limit p_limit)
        union all
        (select 1 from nezuko.admin_logs l
         where 'logs' = any (p_channels) and l.level <> 'DEBUG'
           and l.txid >= p_after_txid and l.txid <= p_until_txid
           and (l.txid, 4, l.id) > (p_after_txid, p_after_kind, p_after_id)
           and (l.txid, 4, l.id) <= (p_until_txid, p_until_kind, p_until_id)
         limit p_limit)
        limit p_limit
    ) b
$$;
comment on function bot.realtime_backlog(xid8, integer, bigint, text[], integer, xid8, integer, bigint) is 'Number of realtime events between two cursors on the given channels, counted up to p_limit.';
grant execute on function bot.realtime_backlog(xid8, integer, bigint, text[], integer, xid8, integer, bigint) to nezuko_bridge;
