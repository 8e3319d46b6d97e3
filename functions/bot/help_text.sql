-- bot.help_text: what the bot is and how to set it up (/start, /help).
create function bot.help_text(p_username text) returns text
language sql immutable as $$
    select format(E'<b>Nezuko</b> keeps a group for subscribers: a member must join the group''s channels before writing.\n\n'
        '<b>Set up</b>\n1. Add @%s to your group as an admin with "Delete messages" and "Ban users".\n'
        '2. Add it to each channel as an admin (no rights needed: it only checks members).\n'
        '3. In the group: <code>/protect @yourchannel</code> (several channels: <code>/protect @a @b</code>).\n\n'
        '<b>Commands</b> (group admins)\n/protect @channel… link channels\n/unprotect stop protecting, unmute everyone the bot muted\n'
        '/status protection, channels and health\n/settings view; <code>/settings key value</code> change '
        '(mode delete|mute|both, mute_duration_seconds, verify_on_join on|off, join_request_gating on|off, '
        'fail_mode open|closed, prompt_text …{mention} {name} {group} {channels}, auto_delete_seconds, '
        'whitelist add|remove &lt;user id&gt;)\n/help this text',
        bot.html_escape(coalesce(p_username, 'the bot')))
$$;
grant execute on function bot.help_text(text) to nezuko_bridge;
