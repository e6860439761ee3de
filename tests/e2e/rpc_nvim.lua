-- End-to-end: Neovim talks to the daemon's socket with nothing but its
-- built-in msgpack-rpc, as docs/protocol.md shows.  Run by rpc_nvim.sh;
-- writes "ok" or the failure to stdout.
local function run()
  local sock = os.getenv('CHORA_SOCKET')
    or (os.getenv('XDG_RUNTIME_DIR') .. '/chora/choradd.sock')
  local ch = vim.fn.sockconnect('pipe', sock, { rpc = true })
  assert(ch > 0, 'sockconnect failed')

  local hello = vim.rpcrequest(ch, 'hello', { version = 1, client = 'nvim' })
  assert(hello.version == 1, 'hello.version')

  -- No argument, or vim.empty_dict(): an empty map.  (A bare {} is sent
  -- as an empty array, which is not a params map.)
  local st = vim.rpcrequest(ch, 'status')
  assert(st.pid == hello.pid, 'status.pid')
  st = vim.rpcrequest(ch, 'status', vim.empty_dict())
  assert(st.pid == hello.pid, 'status.pid with an empty dict')

  local show = vim.rpcrequest(ch, 'show', { id = 'templates/x.j2' })
  assert(show.text == 'templates/x.j2', 'show.text')

  -- Errors are maps; rpcrequest raises them (0.7-0.10 say "unknown
  -- error" for a map, so ask chorac for the words).
  local ok = pcall(vim.rpcrequest, ch, 'show', vim.empty_dict())
  assert(not ok, 'a missing id must fail')

  vim.fn.chanclose(ch)
end

local ok, err = pcall(run)
io.stdout:write(ok and 'ok\n' or ('FAIL: ' .. tostring(err) .. '\n'))
