-- SPDX-License-Identifier: Apache-2.0
-- One editing session of headless Neovim (0.7.2 or later) with `ipec lsp`, driven by
-- tests/editors/nvim_e2e.py:
--   nvim --headless -u NONE -i NONE -n -c 'luafile nvim_e2e.lua' policy.pol
-- Starts the server with Neovim's own client, waits for the diagnostics and writes what
-- vim.diagnostic holds, applies a quickfix when asked and offered, applies the formatting edits,
-- writes the buffer and stops the server (shutdown, exit). Exit status 0 when every step ran,
-- 1 otherwise (the reason on stderr): errors do not change nvim's status, `cquit` does.
--
-- Environment:
--   IPEC_E2E_CMD      JSON list: the server command (`["build/ipec", "lsp"]`)
--   IPEC_E2E_OUT      where the report goes (JSON: diagnostics, fix, formatting edits)
--   IPEC_E2E_FIX      `1`: apply the first quickfix for the first diagnostic with a fix-it
--   IPEC_E2E_TIMEOUT  milliseconds each wait may take (default 15000)

local TIMEOUT = tonumber(os.getenv('IPEC_E2E_TIMEOUT') or '') or 15000
local report = { fix = 'not asked' }

local function say(text)
  io.stderr:write('nvim_e2e: ' .. text .. '\n')
end

-- vim.wait runs the event loop: replies and notifications are handled while it waits.
local function wait_for(what, predicate)
  if not vim.wait(TIMEOUT, predicate, 10) then error('timed out waiting for ' .. what) end
end

-- The response of the one client, or nil and its error (buf_request_sync gives
-- { [client_id] = { result = ..., error = ... } }).
local function request(bufnr, client_id, method, params)
  local responses, reason = vim.lsp.buf_request_sync(bufnr, method, params, TIMEOUT)
  if not responses then error(method .. ': ' .. tostring(reason)) end
  local response = responses[client_id]
  if not response then error(method .. ': no response') end
  return response.result, response.error
end

local function dump_diagnostics(bufnr)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    -- lnum and col are 0-based; col counts bytes, converted by Neovim from the server's
    -- UTF-16 columns.
    table.insert(out, { code = d.code, line = d.lnum + 1, column = d.col + 1, end_line = d.end_lnum + 1,
                        end_column = d.end_col + 1, severity = d.severity, message = d.message })
  end
  return out
end

-- The first quickfix for the first published diagnostic that carries a fix-it, applied.
local function apply_quickfix(bufnr, client, published)
  local wanted
  for _, d in ipairs(published[#published].diagnostics) do
    if d.data and d.data.fixits then
      wanted = d
      break
    end
  end
  if not wanted then error('no diagnostic with a fix-it') end
  local actions, err = request(bufnr, client.id, 'textDocument/codeAction', {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = wanted.range,
    context = { diagnostics = { wanted }, only = { 'quickfix' } },
  })
  if err then
    -- Until textDocument/codeAction is written the server answers "not implemented yet".
    report.fix = 'error: ' .. err.message
    return
  end
  local action
  for _, a in ipairs(actions or {}) do
    if a.kind == 'quickfix' then
      action = a
      break
    end
  end
  if not action then
    report.fix = 'none offered'
    return
  end
  if not action.edit then action = client.request_sync('codeAction/resolve', action, TIMEOUT, bufnr).result end
  local before = #published
  vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
  report.fix = 'applied'
  report.fix_title = action.title
  -- The edit reaches the server after the client's debounce; its diagnostics follow.
  wait_for('diagnostics after the fix', function() return #published > before end)
end

local function main()
  local bufnr = vim.api.nvim_get_current_buf()
  vim.bo[bufnr].filetype = 'ipe' -- -u NONE: no filetype detection
  local published = {}
  local cmd = vim.fn.json_decode(os.getenv('IPEC_E2E_CMD'))
  local client_id = vim.lsp.start_client({
    name = 'ipec',
    cmd = cmd,
    root_dir = vim.fn.getcwd(),
    handlers = {
      ['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
        table.insert(published, result)
        return vim.lsp.handlers['textDocument/publishDiagnostics'](err, result, ctx, config)
      end,
    },
  })
  if not client_id then error('cannot start ' .. table.concat(cmd, ' ')) end
  vim.lsp.buf_attach_client(bufnr, client_id)
  local client = vim.lsp.get_client_by_id(client_id)

  -- Requests sent before initialize has been answered are dropped: the first diagnostics
  -- come after it.
  wait_for('the first diagnostics', function() return #published > 0 end)
  report.offset_encoding = client.offset_encoding
  report.diagnostics = dump_diagnostics(bufnr)

  if os.getenv('IPEC_E2E_FIX') == '1' then apply_quickfix(bufnr, client, published) end

  local edits, err = request(bufnr, client_id, 'textDocument/formatting', {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    options = { tabSize = 8, insertSpaces = true },
  })
  if err then error('textDocument/formatting: ' .. err.message) end
  vim.lsp.util.apply_text_edits(edits or {}, bufnr, client.offset_encoding)
  report.formatting_edits = #(edits or {})

  vim.cmd('silent write')
  vim.lsp.stop_client(client_id)
  wait_for('the server to stop', function() return vim.lsp.client_is_stopped(client_id) end)
  vim.fn.writefile({ vim.fn.json_encode(report) }, os.getenv('IPEC_E2E_OUT'))
end

local ok, err = xpcall(main, debug.traceback)
if ok then
  vim.cmd('qall!')
else
  say(tostring(err))
  vim.cmd('cquit 1')
end
