-- bot.realtime_replay_allowed: false when the outbox of one of the channels
-- was pruned past the cursor (24 h / 10,000 events per channel, see
-- bot.realtime_prune), so a replay would have holes and the client must
-- refetch instead (the relay sends it a reset event).
create function bot.realtime_replay_allowed(
    p_after_txid xid8,
    p_after_kind integer,
    p_after_id bigint,
    p_channels text[]
) returns boolean
language sql stable
set search_path = pg_catalog, pg_temp
as $$
    select not exists (
        select from nezuko.realtime_retention r
        where r.channel = any (p_channels)
          and (r.pruned_txid, case r.channel when 'bot_status' then 2 else 3 end, r.pruned_id)
              >= (p_after_txid, p_after_kind, p_after_id)
    )
$$;
comment on function bot.realtime_replay_allowed(xid8, integer, bigint, text[]) is 'Whether every event after the cursor on these channels is still stored (the outbox was not pruned past it).';
grant execute on function bot.realtime_replay_allowed(xid8, integer, bigint, text[]) to nezuko_bridge;
