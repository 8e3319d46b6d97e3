-- bot.realtime_prune: bounds the realtime outbox to p_keep (default 24 h)
-- and p_max_per_channel (default 10,000) events per channel, oldest (in
-- delivery order) first, and records the newest pruned key per channel so
-- a resume from before it gets a reset. Returns the rows deleted. The log
-- tables (verification_log, admin_logs) are events themselves and keep
-- their own retention. Also deletes expired EventSource tickets.
create function bot.realtime_prune(
    p_keep interval default interval '24 hours',
    p_max_per_channel integer default 10000
) returns bigint
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_channel text;
    v_cut record;
    v_deleted bigint := 0;
    v_n bigint;
begin
    foreach v_channel in array array['bot_status', 'commands'] loop
        -- The newest event to drop: the newest older than p_keep, or the one
        -- just past the p_max_per_channel newest, whichever is later.
        select e.txid, e.id into v_cut
        from nezuko.realtime_events e
        where e.channel = v_channel
          and (e.created_at < now() - p_keep
               or (e.txid, e.id) <= (select k.txid, k.id from nezuko.realtime_events k
                                     where k.channel = v_channel
                                     order by k.txid desc, k.id desc
                                     offset p_max_per_channel limit 1))
        order by e.txid desc, e.id desc
        limit 1;
        continue when not found;
        delete from nezuko.realtime_events e
        where e.channel = v_channel and (e.txid, e.id) <= (v_cut.txid, v_cut.id);
        get diagnostics v_n = row_count;
        v_deleted := v_deleted + v_n;
        insert into nezuko.realtime_retention as r (channel, pruned_txid, pruned_id)
        values (v_channel, v_cut.txid, v_cut.id)
        on conflict (channel) do update
            set pruned_txid = excluded.pruned_txid, pruned_id = excluded.pruned_id, pruned_at = now()
            where (r.pruned_txid, r.pruned_id) < (excluded.pruned_txid, excluded.pruned_id);
    end loop;
    -- Tickets minted for EventSource (POST /v1/events/ticket) live minutes.
    delete from nezuko.api_tokens t
    where t.name = 'events ticket' and t.expires_at < now() - interval '1 day';
    return v_deleted;
end
$$;
comment on function bot.realtime_prune(interval, integer) is 'Deletes realtime outbox events older than p_keep or beyond the newest p_max_per_channel per channel; returns how many.';
grant execute on function bot.realtime_prune(interval, integer) to nezuko_bridge;
