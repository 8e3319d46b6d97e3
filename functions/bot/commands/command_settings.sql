-- bot.command_settings: /settings lists every setting of the registry
-- (nezuko.group_settings) with the group's value; /settings name value
-- changes one, parsed by its type (on/off for booleans; add|remove <id> or
-- clear for id lists); /settings name default returns it to the default.
-- A refused value is explained in the group's language, nothing changed.
create function bot.command_settings(p_bot bigint, p_msg jsonb, p_answers jsonb, p_checks jsonb, p_args text) returns jsonb
language plpgsql as $$
declare
    v_chat bigint := (p_msg->'chat'->>'id')::bigint;
    g nezuko.protected_groups := bot.command_protected_group(p_bot, p_msg);
    v_lang text;
    s jsonb;
    d nezuko.group_settings;
    v_name text;
    v_val text;
    v_op text;
    v_json jsonb;
    v_problem jsonb;
    v_list text;
begin
    if jsonb_array_length(p_checks) > 0 then
        return jsonb_build_object('checks', p_checks);
    end if;
    v_lang := bot.group_language(v_chat, p_msg->'from');
    if g.group_id is null then
        return bot.reply_call(p_msg, bot.text('group.not_protected', v_lang));
    end if;
    s := bot.settings(g.params);
    if p_args = '' then
        select string_agg(format('<code>%s</code> = %s', r.name,
                                 case when s->r.name = 'null' then '—' else bot.html_escape((s->r.name)::text) end),
                          E'\n' order by r.position)
        into v_list from nezuko.group_settings r;
        return bot.reply_call(p_msg, bot.text('settings.list', v_lang, jsonb_build_object('settings', v_list)));
    end if;
    v_name := lower(split_part(p_args, ' ', 1));
    v_val := btrim(substring(p_args from length(split_part(p_args, ' ', 1)) + 1), E' \t\n');
    select * into d from nezuko.group_settings where name = v_name;
    if not found then
        v_problem := nezuko.group_setting_problem(v_name, 'null');
    elsif lower(v_val) = 'default' then
        v_json := null;
    elsif d.value_type = 'integer' and v_val ~ '^-?[0-9]{1,18}$' then
        v_json := to_jsonb(v_val::bigint);
    elsif d.value_type = 'boolean' and lower(v_val) in ('on', 'off', 'true', 'false', 'yes', 'no') then
        v_json := to_jsonb(lower(v_val) in ('on', 'true', 'yes'));
    elsif d.value_type in ('enum', 'language') then
        v_json := to_jsonb(lower(v_val));
    elsif d.value_type = 'id_list' then
        v_op := lower(split_part(v_val, ' ', 1));
        v_val := btrim(substring(v_val from length(v_op) + 1));
        if v_op = 'clear' then
            v_json := '[]';
        elsif v_op in ('add', 'remove') and v_val ~ '^-?[0-9]{1,19}$' then
            select coalesce(jsonb_agg(distinct e), '[]') into v_json
            from (select e from jsonb_array_elements(s->v_name) e where e <> to_jsonb(v_val::bigint)
                  union all select to_jsonb(v_val::bigint) where v_op = 'add') t;
        else
            v_problem := jsonb_build_object('key', 'settings.whitelist_usage', 'args', '{}'::jsonb);
        end if;
    else
        v_json := to_jsonb(v_val);
    end if;
    if v_problem is null and v_json is not null then
        v_problem := nezuko.group_setting_problem(v_name, v_json);
    end if;
    if v_problem is not null then
        return bot.reply_call(p_msg, bot.text('settings.not_changed', v_lang, jsonb_build_object('reason',
            bot.text(v_problem->>'key', v_lang, (select jsonb_object_agg(key, bot.html_escape(value))
                                                 from jsonb_each_text(v_problem->'args'))))));
    end if;
    update nezuko.protected_groups
    set params = case when v_json is null then params - v_name else params || jsonb_build_object(v_name, v_json) end
    where group_id = v_chat;
    -- A changed language answers in the new one.
    v_lang := bot.group_language(v_chat, p_msg->'from');
    return bot.reply_call(p_msg, bot.text('settings.set', v_lang, jsonb_build_object('name', bot.html_escape(v_name),
        'value', bot.html_escape(coalesce(v_json, d.default_value)::text))));
end
$$;
grant execute on function bot.command_settings(bigint, jsonb, jsonb, jsonb, text) to nezuko_bridge;
