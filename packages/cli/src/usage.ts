/**
 * mcpward's own usage, printed by `mcpward --help` (and above the tool list
 * with `mcpward --help -- <server>`). Plain text, no yargs: it is on the
 * path of every `--help -- <server>`.
 */
export const USAGE = `mcpward: call any MCP server's tools as ordinary shell commands.

usage:
  mcpward [options] <tool> [tool flags] -- [KEY=VALUE ...] <command> [args ...]
  mcpward [options] -s <name> <tool> [tool flags]
                                        call a server declared in mcpward.config.json
  mcpward --help -- <server>            list the server's tools (or: -s <name> --help)
  mcpward <tool> --help -- <server>     show a tool's flags and examples
  mcpward daemon start|stop|restart|status|logs|clean [-- <server>]
  mcpward audit [list|verify|export]    show, check or export this project's audit log
  mcpward policy check -- <server>      explain the trust level, rules and outcome
  mcpward policy trust|revoke -- <server>
                                        approve or forget a third-party server
  mcpward -s <name> policy trust|revoke approve or forget a project config server
  mcpward policy trust|revoke --plugin <specifier>
                                        approve or forget a project policy plugin
  mcpward completion                    print a bash/zsh completion script

options (before the tool name):
  --raw                    print the whole MCP result as JSON
  --json                   report errors as one JSON object on stderr
  --verbose                stream the server's stderr while the call runs
  --debug                  print mcpward diagnostics on stderr
  --quiet                  no notices or status lines
  --yes                    approve the call if policy would ask
  -s, --server <name>      run the named server from config (instead of -- <server>)
  --profile <name>         config profile (default: MCPWARD_PROFILE)
  --idle-timeout <s>       stop the daemon after this long unused (default 1800)
  --tool-timeout <s>       cancel a call that runs longer (default 600)
  --startup-timeout <s>    give up on a server that starts slower (default 30)
  -h, --help               this help; with -- <server>, also the server's tools
  -V, --version            print mcpward's version

tool flags (after the tool name):
  --key value, --key=value, --flag, --no-flag, repeated --item a --item b,
  --obj '{"k": 1}', --key @file (read a file), --json '{...}' or --json -
  (all arguments at once, - reads standard input)

exit codes:
  0 ok, 1 tool error (audit verify: chain broken), 2 usage error, 3 denied,
  4 server failed, 5 timed out, 6 mcpward failed, 130 cancelled

example:
  mcpward add --a 2 --b 3 -- node examples/utility-server/server.mjs
`;
