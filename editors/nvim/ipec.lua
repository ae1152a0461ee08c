-- SPDX-License-Identifier: Apache-2.0
-- IPE policies in Neovim 0.7 or later: the `ipe` filetype for *.pol and *.ipe, and the ipec
-- language server (`ipec lsp`) attached to those buffers.
--
-- Install: copy this file to ~/.config/nvim/plugin/ipec.lua (or `luafile` it from init.lua).
-- Options, all optional, set before it runs (for example in init.lua):
--   vim.g.ipec = {
--     cmd = { 'ipec', 'lsp' },          -- the server command
--     target = 'linux-6.19',            -- --target; unset: the server's default, linux-6.12
--     kconfig = { '/proc/config.gz' },  -- --kconfig files
--     lsm = 'capability,landlock,ipe',  -- --lsm
--     set = { 'CONFIG_IMA=n' },         -- --set options
--   }
-- Keys in a policy buffer: K hover, gd definition, <leader>f format, <leader>ca code action,
-- [d and ]d the previous and next diagnostic, <leader>e the diagnostic under the cursor.
-- Neovim 0.7 has no vim.lsp.start and no vim.fs: one client is started with
-- vim.lsp.start_client and attached to every policy buffer.

local M = {}
local client_id = nil

-- A kconfig path as the server should read it: `~` expanded, relative to the working directory.
local function absolute(path)
  return vim.fn.fnamemodify(vim.fn.expand(path), ':p')
end

-- The target options that are set, as the server reads them from initializationOptions and
-- from the `ipec` section of workspace/didChangeConfiguration; nil when none is set.
function M.target_options()
  local g = vim.g.ipec or {}
  local options = {}
  for _, key in ipairs({ 'target', 'lsm' }) do
    if type(g[key]) == 'string' and g[key] ~= '' then options[key] = g[key] end
  end
  for _, key in ipairs({ 'kconfig', 'set' }) do
    if type(g[key]) == 'table' and #g[key] > 0 then
      options[key] = key == 'kconfig' and vim.tbl_map(absolute, g[key]) or g[key]
    end
  end
  if next(options) == nil then return nil end
  return options
end

local function map(bufnr, lhs, rhs, desc)
  vim.keymap.set('n', lhs, rhs, { buffer = bufnr, silent = true, desc = desc })
end

-- vim.lsp.buf.format arrived in 0.8; 0.7 has only the older `formatting`.
local function format()
  if vim.lsp.buf.format then
    vim.lsp.buf.format({ name = 'ipec' })
  else
    vim.lsp.buf.formatting()
  end
end

local function on_attach(_, bufnr)
  map(bufnr, 'K', vim.lsp.buf.hover, 'ipec: hover')
  map(bufnr, 'gd', vim.lsp.buf.definition, 'ipec: go to definition')
  map(bufnr, '<leader>f', format, 'ipec: format the policy')
  map(bufnr, '<leader>ca', vim.lsp.buf.code_action, 'ipec: code actions (fixes)')
  map(bufnr, '[d', vim.diagnostic.goto_prev, 'ipec: previous diagnostic')
  map(bufnr, ']d', vim.diagnostic.goto_next, 'ipec: next diagnostic')
  map(bufnr, '<leader>e', vim.diagnostic.open_float, 'ipec: show the diagnostic')
end

local function start()
  local g = vim.g.ipec or {}
  local options = M.target_options()
  local ok, id = pcall(vim.lsp.start_client, {
    name = 'ipec',
    cmd = g.cmd or { 'ipec', 'lsp' },
    root_dir = vim.fn.getcwd(),
    init_options = options,
    settings = { ipec = options or vim.empty_dict() },
    on_attach = on_attach,
    -- 0.7 does not send the settings by itself (see :help vim.lsp.start_client).
    on_init = function(client)
      client.notify('workspace/didChangeConfiguration', { settings = client.config.settings })
    end,
  })
  -- When the command cannot be spawned, Neovim has said so already and id is nil.
  if not ok then
    vim.notify('ipec: cannot start the language server: ' .. tostring(id), vim.log.levels.WARN)
    return nil
  end
  return id
end

function M.attach(bufnr)
  if client_id == nil or vim.lsp.client_is_stopped(client_id) then client_id = start() end
  if client_id then vim.lsp.buf_attach_client(bufnr, client_id) end
end

-- Sends changed options to the running server, e.g. after `:lua vim.g.ipec = {target='live'}`.
function M.reconfigure()
  local client = client_id and vim.lsp.get_client_by_id(client_id)
  if not client then return end
  client.config.settings = { ipec = M.target_options() or vim.empty_dict() }
  client.notify('workspace/didChangeConfiguration', { settings = client.config.settings })
end

local group = vim.api.nvim_create_augroup('ipec', { clear = true })
vim.api.nvim_create_autocmd({ 'BufRead', 'BufNewFile' }, {
  group = group,
  pattern = { '*.pol', '*.ipe' },
  callback = function() vim.bo.filetype = 'ipe' end,
})
vim.api.nvim_create_autocmd('FileType', {
  group = group,
  pattern = 'ipe',
  callback = function(args)
    vim.bo[args.buf].commentstring = '# %s'
    M.attach(args.buf)
  end,
})
vim.api.nvim_create_user_command('IpecReconfigure', M.reconfigure, {})

package.loaded['ipec'] = M
return M
