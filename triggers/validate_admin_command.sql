-- triggers.validate_admin_command: every command, whoever writes it (the
-- API or a DBA's plain INSERT or UPDATE), must have a known type and a
-- payload that keeps its type's rules; bot.validate_command raises 22023
-- naming the field.
--
-- Inserts are checked once per statement over the transition table, once
-- per distinct (type, payload): a per-row trigger cost about 1.5x the rest
-- of the INSERT here. Updates that touch the type or payload (rare, by hand)
-- are checked row by row, since a transition table cannot go with UPDATE OF.
create function triggers.validate_admin_command() returns trigger
language plpgsql as $$
begin
    if tg_level = 'STATEMENT' then
        perform bot.validate_command(d.command_type, d.payload)
        from (select distinct command_type, payload from new_rows) d;
        return null;
    end if;
    perform bot.validate_command(new.command_type, new.payload);
    return new;
end
$$;

create trigger validate_admin_commands
    after insert on nezuko.admin_commands
    referencing new table as new_rows
    for each statement execute function triggers.validate_admin_command();

create trigger validate_admin_command
    before update of command_type, payload on nezuko.admin_commands
    for each row execute function triggers.validate_admin_command();
