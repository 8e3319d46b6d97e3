-- bot.is_subscribed: DESIGN's rule: creator, administrator, member, or restricted with is_member.
create function bot.is_subscribed(p_status text, p_is_member boolean) returns boolean
language sql immutable parallel safe as $$
    select p_status in ('creator', 'administrator', 'member')
        or (p_status = 'restricted' and coalesce(p_is_member, false))
$$;
grant execute on function bot.is_subscribed(text, boolean) to nezuko_bridge;
