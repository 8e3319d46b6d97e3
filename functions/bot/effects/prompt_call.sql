-- bot.prompt_call: the one prompt for a user, in the group's language: every
-- missing channel named, one join button each, and an "I have joined"
-- button whose callback data names the user it was posted for
-- (nzv:<user id>). A group's own prompt_text replaces the language's prompt
-- text (not the buttons). In a forum group the prompt goes to the topic the
-- member wrote in (p_thread).
create function bot.prompt_call(p_group bigint, p_group_title text, p_settings jsonb, p_user jsonb, p_missing jsonb,
                                p_thread bigint default null)
returns jsonb
language plpgsql stable as $$
declare
    v_lang text := coalesce(p_settings->>'language', 'en');
    v_name text := trim(coalesce(p_user->>'first_name', '') || ' ' || coalesce(p_user->>'last_name', ''));
    v_mention text;
    v_channels text;
    v_rows jsonb := '[]';
    v_text text;
    v_call jsonb;
    m jsonb;
begin
    if v_name = '' then
        v_name := coalesce(p_user->>'username', bot.text('prompt.member', v_lang));
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
                'text', left(bot.text('prompt.join_button', v_lang, jsonb_build_object('channel', m->>'title')), 64),
                'url', m->>'url')));
        end if;
    end loop;
    v_rows := v_rows || jsonb_build_array(jsonb_build_array(jsonb_build_object(
        'text', bot.text('prompt.joined_button', v_lang), 'callback_data', 'nzv:' || (p_user->>'id'))));
    if p_settings->>'prompt_text' is not null then
        -- An admin's template is escaped first, so whatever they wrote cannot
        -- break the HTML; the placeholders are filled with escaped values.
        v_text := bot.html_escape(p_settings->>'prompt_text');
    else
        v_text := bot.text('prompt.text', v_lang);
    end if;
    v_text := replace(v_text, '{mention}', v_mention);
    v_text := replace(v_text, '{name}', bot.html_escape(v_name));
    v_text := replace(v_text, '{group}', bot.html_escape(coalesce(p_group_title, bot.text('prompt.this_group', v_lang))));
    v_text := replace(v_text, '{channels}', coalesce(v_channels, ''));
    if position(v_channels in v_text) = 0 then
        v_text := v_text || E'\n' || v_channels;
    end if;
    v_call := bot.send_call(p_group, v_text, null, jsonb_build_object('inline_keyboard', v_rows));
    if p_thread is not null then
        v_call := jsonb_set(v_call, '{params,message_thread_id}', to_jsonb(p_thread));
    end if;
    return v_call;
end
$$;
grant execute on function bot.prompt_call(bigint, text, jsonb, jsonb, jsonb, bigint) to nezuko_bridge;
