-- bot.enqueue_effects: writes the Bot API calls of a plan ({calls, record},
-- what every rule function returns) as rows of the effect outbox, in the
-- caller's transaction: they happen if and only if the decision commits.
-- Each record entry ({kind, call: <index>, ...}) becomes part of the outcome
-- of the call it names, applied when Telegram answers (bot.apply_outcome).
-- Calls into one chat run in the order given. Rings nezuko_effects (one
-- NOTIFY per transaction and bot: PostgreSQL folds identical payloads).
-- Returns how many effects were written.
create function bot.enqueue_effects(p_bot bigint, p_plan jsonb, p_source text default 'api') returns integer
language plpgsql as $$
declare
    n integer;
begin
    if p_bot is null then
        raise exception 'bot.enqueue_effects: no bot' using errcode = '22023';
    end if;
    if jsonb_typeof(coalesce(p_plan->'calls', '[]')) <> 'array' then
        raise exception 'bot.enqueue_effects: calls must be an array' using errcode = '22023';
    end if;
    insert into nezuko.bot_effects (bot_instance_id, chat_id, method, params, outcome, repeatable, max_attempts, source, created_at)
    select p_bot,
           case when jsonb_typeof(c.call->'params'->'chat_id') = 'number' then (c.call->'params'->>'chat_id')::bigint else 0 end,
           c.call->>'method',
           coalesce(c.call->'params', '{}'),
           coalesce((select jsonb_agg(r - 'call') from jsonb_array_elements(coalesce(p_plan->'record', '[]')) r
                     where (r->>'call')::int = c.ord - 1), '[]'),
           -- A send shows twice if made twice; restrict, delete, ban,
           -- answer are idempotent on Telegram.
           not (c.call->>'method' ~ '^(send|copy|forward)'),
           bot.config_int('effect_max_attempts', 6),
           coalesce(p_source, 'api'),
           clock_timestamp() -- near the decision's commit: effect latency runs from here
    from jsonb_array_elements(coalesce(p_plan->'calls', '[]')) with ordinality as c(call, ord)
    order by c.ord;
    get diagnostics n = row_count;
    if n > 0 then
        perform pg_notify('nezuko_effects', p_bot::text);
    end if;
    return n;
end
$$;
comment on function bot.enqueue_effects(bigint, jsonb, text) is
    'Queue a plan''s Bot API calls ({calls, record}) as durable effects of bot p_bot, in the caller''s transaction; returns how many.';
grant execute on function bot.enqueue_effects(bigint, jsonb, text) to nezuko_bridge;
