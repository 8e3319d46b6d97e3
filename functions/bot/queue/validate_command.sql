-- bot.validate_command: refuses an unknown command type or a payload that
-- breaks its type's rules with SQLSTATE 22023 and a message naming the field.
-- It runs for every inserted command, so it makes one query and checks the
-- fields with plain expressions (no query per field): about twice the cost
-- of a bare one-query function here, where a loop over jsonb_each cost five
-- times as much. Run by the triggers on admin_commands (a CHECK that reads
-- command_types would break pg_dump restores: the data of admin_commands
-- may load before command_types), as whoever inserts: the bridge too.
create function bot.validate_command(p_type text, p_payload jsonb) returns void
language plpgsql stable as $$
declare
    fields jsonb;
    allowed text[];
    required text[];
    k text;
    v jsonb;
    t text;
    ok boolean;
begin
    select c.payload_fields,
           array(select jsonb_object_keys(c.payload_fields)),
           array(select f.key from jsonb_each(c.payload_fields) f where coalesce((f.value ->> 'required')::boolean, false))
    into fields, allowed, required
    from nezuko.command_types c where c.name = p_type;
    if fields is null then
        raise exception 'unknown command type "%"', p_type
            using errcode = '22023',
                  hint = 'known types: ' || (select string_agg(name, ', ' order by name) from nezuko.command_types);
    end if;
    if jsonb_typeof(p_payload) is distinct from 'object' then
        raise exception '% payload must be a JSON object', p_type using errcode = '22023';
    end if;
    if p_payload - allowed <> '{}' then
        raise exception '% payload: unknown field "%"', p_type,
            (select min(x) from jsonb_object_keys(p_payload - allowed) x)
            using errcode = '22023', hint = 'allowed fields: ' || coalesce(array_to_string(allowed, ', '), 'none');
    end if;
    if not p_payload ?& required then
        raise exception '% payload: % is required', p_type,
            (select min(r) from unnest(required) r where not p_payload ? r) using errcode = '22023';
    end if;
    foreach k in array allowed loop
        continue when not p_payload ? k;
        v := p_payload -> k;
        t := fields -> k ->> 'type';
        ok := case t
            when 'chat_id' then jsonb_typeof(v) = 'number' and v::text ~ '^-?[1-9][0-9]{0,18}$'
            when 'user_id' then jsonb_typeof(v) = 'number' and v::text ~ '^[1-9][0-9]{0,18}$'
            -- Telegram refuses message texts over 4096 characters.
            when 'text' then jsonb_typeof(v) = 'string' and length(v #>> '{}') between 1 and 4096
            -- Telegram treats a ban or mute shorter than 30 s or longer than 366 days as forever.
            when 'seconds' then jsonb_typeof(v) = 'number' and v::text ~ '^[0-9]{1,9}$'
                and (v::text::bigint = 0 or v::text::bigint between 30 and 31622400)
            when 'boolean' then jsonb_typeof(v) = 'boolean'
            when 'parse_mode' then coalesce(v #>> '{}' = any (array['HTML', 'MarkdownV2', 'Markdown']), false)
            else true
        end;
        if not ok then
            raise exception '% payload: % must be %', p_type, k, case t
                when 'chat_id' then 'a Telegram chat id (a non-zero whole number)'
                when 'user_id' then 'a Telegram user id (a positive whole number)'
                when 'text' then 'a string of 1 to 4096 characters'
                when 'seconds' then '0 (forever) or a whole number of seconds from 30 to 31622400'
                when 'boolean' then 'true or false'
                when 'parse_mode' then 'HTML, MarkdownV2 or Markdown'
            end using errcode = '22023';
        end if;
    end loop;
    if p_type = 'clear_cache' and not (p_payload ?| array['user_id', 'group_id', 'channel_id']
            or coalesce(p_payload -> 'all' = 'true', false)) then
        raise exception 'clear_cache payload: give user_id, group_id or channel_id, or "all": true' using errcode = '22023';
    end if;
end
$$;
comment on function bot.validate_command(text, jsonb) is
    'Validates a command''s type and payload against command_types.payload_fields; raises 22023 naming the bad field. '
    'Run by the triggers on admin_commands (triggers package, block "command queue").';
grant execute on function bot.validate_command(text, jsonb) to nezuko_bridge;
