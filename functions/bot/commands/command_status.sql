-- bot.command_status: /status: protection, health, each channel's health,
-- mode, who is restricted now and the last 24 hours of checks.
create function bot.command_status(p_bot bigint, p_msg jsonb, p_answers jsonb, p_checks jsonb, p_args text) returns jsonb
language plpgsql stable as $$
declare
    v_chat bigint := (p_msg->'chat'->>'id')::bigint;
    g nezuko.protected_groups := bot.command_protected_group(p_bot, p_msg);
    v_lang text := bot.group_language(v_chat, p_msg->'from');
    s jsonb;
    v_channels text;
    v_counts record;
begin
    if jsonb_array_length(p_checks) > 0 then
        return jsonb_build_object('checks', p_checks);
    end if;
    if g.group_id is null then
        return bot.reply_call(p_msg, bot.text('group.not_protected', v_lang));
    end if;
    s := bot.settings(g.params);
    select string_agg(format('• %s: %s', bot.html_escape(coalesce('@' || c.username, c.title, c.channel_id::text)),
                             case when c.health = 'ok' then bot.text('status.ok', v_lang)
                                  else bot.html_escape(coalesce(c.health_reason, c.health)) end), E'\n' order by c.channel_id)
    into v_channels
    from nezuko.group_channel_links l join nezuko.enforced_channels c using (channel_id)
    where l.group_id = v_chat;
    select count(*) filter (where status = 'verified') as verified, count(*) filter (where status = 'restricted') as failed,
           count(*) filter (where status = 'error') as errors
    into v_counts
    from nezuko.verification_log where group_id = v_chat and timestamp > now() - interval '24 hours';
    return bot.reply_call(p_msg, bot.text('status.text', v_lang, jsonb_build_object(
        'protection', bot.text(case when g.enabled then 'status.on' else 'status.off' end, v_lang),
        'health', case when g.health = 'ok' then bot.text('status.ok', v_lang)
                       else g.health || coalesce(' — ' || bot.html_escape(g.health_reason), '') end,
        'channels', coalesce(v_channels, '—'),
        'mode', s->>'mode', 'fail_mode', s->>'fail_mode',
        'restricted', (select count(*) from nezuko.group_restrictions where group_id = v_chat),
        'verified', v_counts.verified, 'failed', v_counts.failed, 'errors', v_counts.errors)));
end
$$;
grant execute on function bot.command_status(bigint, jsonb, jsonb, jsonb, text) to nezuko_bridge;
