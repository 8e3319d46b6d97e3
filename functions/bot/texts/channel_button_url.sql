-- bot.channel_button_url: the link a join button opens: the invite link, else t.me/username.
create function bot.channel_button_url(p_invite_link text, p_username text) returns text
language sql immutable as $$
    select coalesce(p_invite_link, 'https://t.me/' || nullif(p_username, ''))
$$;
grant execute on function bot.channel_button_url(text, text) to nezuko_bridge;
