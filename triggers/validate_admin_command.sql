-- triggers.validate_admin_command: every command, whoever inserts it (the API
-- or a DBA's plain INSERT), must have a known type and a payload that keeps
-- its type's rules (nezuko.validate_command raises 22023 naming the field).
-- A Telegram-side command with no bot given is routed to the bot that
-- protects its group, so a process running that bot claims it.
create function triggers.validate_admin_command() returns trigger
language plpgsql as $$
begin
    perform nezuko.validate_command(new.command_type, new.payload);
    if new.bot_instance_id is null and new.payload ? 'group_id'
            and (select needs_bot from nezuko.command_types where name = new.command_type) then
        new.bot_instance_id := (select g.bot_instance_id from nezuko.protected_groups g
                                where g.group_id = (new.payload ->> 'group_id')::bigint);
    end if;
    return new;
end
$$;

create trigger validate_admin_command
    before insert or update of command_type, payload on nezuko.admin_commands
    for each row execute function triggers.validate_admin_command();
