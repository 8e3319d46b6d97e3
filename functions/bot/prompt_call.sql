-- bot.prompt_call: the one prompt for a user: every missing channel named,
-- one join button each, and an "I have joined" button whose callback data
-- names the user it was posted for (nzv:<user id>).
create function bot.prompt_call(p_group bigint, p_group_title text, p_settings jsonb, p_user jsonb, p_missing jsonb)
returns jsonb
language plpgsql immutable as $$
declare
    v_name text := trim(coalesce(p_user->>'first_name', '') || ' ' || coalesce(p_user->>'last_name', ''));
    v_mention text;
    v_channels text;
    v_rows jsonb := '[]';
    v_text text;
    m jsonb;
begin
    if v_name = '' then
        v_name := coalesce(p_user->>'username', 'member');
    end if;
    v_mention := format('<a href="tg://user?id=%s">%s</a>', (p_user->>'id')::bigint, bot.html_escape(v_name));
    select string_agg(case when x->>'url' is not null
                           then format('<a href="%s">%s</a>', bot.html_escape(x->>'url'), bot.html_escape(x->>'title'))
                           else bot.html_escape(x->>'title') end, ', ' order by ord)
    into v_channels
    from jsonb_array_elements(p_missing) with ordinality as t(x, ord);
    for m in select x from jsonb_array_elements(p_missing) x loop
        if m->>'url' is not null then
            v_rows := v_rows || jsonb_build_array(jsonb_build_array(jsonb_build_object(
                'text', left('Join ' || (m->>'title'), 64), 'url', m->>'url')));
        end if;
    end loop;
    v_rows := v_rows || jsonb_build_array(jsonb_build_array(jsonb_build_object(
        'text', '✅ I have joined', 'callback_data', 'nzv:' || (p_user->>'id'))));
    -- The template is escaped first, so whatever an admin wrote cannot break
    -- the HTML; the placeholders are filled with already-escaped values.
    v_text := bot.html_escape(p_settings->>'prompt_text');
    v_text := replace(v_text, '{mention}', v_mention);
    v_text := replace(v_text, '{name}', bot.html_escape(v_name));
    v_text := replace(v_text, '{group}', bot.html_escape(coalesce(p_group_title, 'this group')));
    v_text := replace(v_text, '{channels}', coalesce(v_channels, ''));
    if position(v_channels in v_text) = 0 then
        v_text := v_text || E'\n' || v_channels;
    end if;
    return bot.send_call(p_group, v_text, null, jsonb_build_object('inline_keyboard', v_rows));
end
$$;
grant execute on function bot.prompt_call(bigint, text, jsonb, jsonb, jsonb) to nezuko_bridge;
