// SPDX-License-Identifier: GPL-2.0
// Text of the files shipped in deploy/, written so that they stay as easy
// to read as the hand-written ones they replace: std.manifestYamlDoc
// double-quotes every string and sorts every key, std.manifestJsonEx
// prints empty arrays over three lines.  The round trip is tested:
// tests/test_deploy.sh parses both files and compares them with the
// mixin's own objects.
{
  // ---- JSON: two-space indent, keys in the order of `order` ----
  // order, a list of keys, as {key: its place}; rank() puts others last
  local places(order) = { [order[i]]: i for i in std.range(0, std.length(order) - 1) },
  local rank(p, k) = if std.objectHas(p, k) then p[k] else 1000,

  // s as a JSON string: std.escapeStringJson's text, from the native
  // manifester (std.escapeStringJson goes through std.format: slow)
  local quote(s) = local t = std.toString([s]); std.substr(t, 1, std.length(t) - 2),

  local json(v, ind, order) =
    if std.isArray(v) then
      if std.length(v) == 0 then '[]'
      else '[\n' + std.join(',\n', [ind + '  ' + json(x, ind + '  ', order) for x in v]) + '\n' + ind + ']'
    else if std.isObject(v) then
      local ks = std.sort(std.sort(std.objectFields(v)), keyF=function(k) rank(order, k));
      if std.length(ks) == 0 then '{}'
      else '{\n' + std.join(',\n', [
        ind + '  ' + quote(k) + ': ' + json(v[k], ind + '  ', order)
        for k in ks
      ]) + '\n' + ind + '}'
    else if std.isString(v) then quote(v)
    else std.toString(v),

  // json(value, order): the document (jsonnet -S adds the final newline)
  json(v, order=[]):: json(v, '', places(order)),

  // ---- YAML for Prometheus rule files ----
  // A rule's keys come in Prometheus' documented order; labels sorted,
  // annotations summary first.  A hidden field `comment::` on a group or a
  // rule becomes "# ..." lines above it (so std.manifestYamlDoc, which
  // users may prefer, leaves it out).  Strings: with a newline, a literal
  // block; plain where YAML reads them back as the same string; long ones
  // folded (>-) at 78 columns; the rest in double quotes.
  local width = 78,
  // a string longer than this is folded, one shorter stays on its line
  local long = 100,
  local ruleOrder = ['record', 'alert', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations'],
  local annotationOrder = ['summary', 'description'],

  local all(xs) = std.foldl(function(a, b) a && b, xs, true),
  local chars(s) = std.stringChars(s),
  // how often the two-character string p occurs in s (std.findSubstr
  // slices s at every index: seconds for this file)
  local pairs(s, p) =
    std.length(std.filter(function(i) s[i] == p[0] && s[i + 1] == p[1],
                          std.range(0, std.length(s) - 2))),
  local isLetter(c) = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'),
  local isDigit(c) = c >= '0' && c <= '9',
  // in block context a plain scalar may hold these, brackets and quotes
  // too, as long as it starts with a letter and holds no ": " or " #"
  local plainChars = {
    [c]: true
    for c in chars('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789' +
                   '_-./ ()=<>+,;:!~*$|[]{}"\'')
  },
  local yamlWords = ['y', 'n', 'yes', 'no', 'on', 'off', 'true', 'false', 'null'],
  // a Prometheus duration such as 5m or 1h
  local isDuration(s) =
    local c = chars(s);
    std.length(c) >= 2 && all([isDigit(x) for x in c[:std.length(c) - 1]]) &&
    std.member('smhdwy', c[std.length(c) - 1]),
  local isPlain(s) =
    s != '' && all([std.objectHas(plainChars, c) for c in chars(s)]) &&
    (isLetter(s[0]) || isDuration(s)) && s[std.length(s) - 1] != ' ' &&
    s[std.length(s) - 1] != ':' && pairs(s, ': ') == 0 &&
    pairs(s, ' #') == 0 &&
    // Prometheus' own examples quote templated text: so does this
    pairs(s, '{{') == 0 &&
    !std.member(yamlWords, std.asciiLower(s)),
  // greedy word wrap at width; false when folding would change the text
  local foldable(s) =
    pairs(s, '  ') == 0 && s[0] != ' ' && s[std.length(s) - 1] != ' ',
  local wrap(s, ind) =
    // a template such as {{ $value | humanize }} stays on one line
    local open(w) = pairs(w, '{{') > pairs(w, '}}');
    local words = std.foldl(function(ws, w)
      local n = std.length(ws);
      if n > 0 && open(ws[n - 1]) then ws[:n - 1] + [ws[n - 1] + ' ' + w] else ws + [w],
      std.split(s, ' '), []);
    local step(lines, w) =
      local n = std.length(lines);
      local cur = lines[n - 1];
      if cur != '' && std.length(ind) + std.length(cur) + 1 + std.length(w) > width
      then lines + [w]
      else lines[:n - 1] + [if cur == '' then w else cur + ' ' + w];
    std.foldl(step, words, ['']),

  local sp(s) = std.repeat(' ', std.length(s)),

  // "key: value" after ind ("      " or "      - "), value a string
  local scalar(ind, key, s) =
    local head = ind + key + ':';
    if std.member(chars(s), '\n') then
      assert s[0] != ' ' : 'a multi-line value starts with a space: %s' % key;
      local trailing = s[std.length(s) - 1] == '\n';
      local body = if trailing then s[:std.length(s) - 1] else s;
      head + (if trailing then ' |' else ' |-') + '\n' +
      std.join('\n', [if l == '' then '' else sp(ind) + '  ' + l for l in std.split(body, '\n')]) + '\n'
    else if std.length(s) > long && foldable(s) then
      head + ' >-\n' + std.join('', [sp(ind) + '  ' + l + '\n' for l in wrap(s, sp(ind) + '  ')])
    else if isPlain(s) then
      head + ' ' + s + '\n'
    else
      head + ' ' + quote(s) + '\n',

  local comment(ind, o) =
    if std.objectHasAll(o, 'comment') then
      local text = if std.endsWith(o.comment, '\n') then o.comment[:std.length(o.comment) - 1] else o.comment;
      std.join('', [ind + '#' + (if l == '' then '' else ' ' + l) + '\n' for l in std.split(text, '\n')])
    else '',

  local map(ind, key, m, order) =
    ind + key + ':\n' + std.join('', [
      scalar(sp(ind) + '  ', k, m[k])
      for k in std.sort(std.sort(std.objectFields(m)), keyF=function(k) rank(places(order), k))
    ]),

  local rule(ind, r) =
    local ks = std.sort(std.sort(std.objectFields(r)), keyF=function(k) rank(places(ruleOrder), k));
    comment(ind, r) + std.join('', [
      local first = k == ks[0];
      local at = if first then ind + '- ' else ind + '  ';
      if std.isObject(r[k]) then
        map(at, k, r[k], if k == 'annotations' then annotationOrder else [])
      else
        scalar(at, k, if std.isString(r[k]) then r[k] else std.toString(r[k]))
      for k in ks
    ]),

  local isRecord(r) = std.objectHas(r, 'record'),

  local group(g) =
    comment('  ', g) +
    '  - name: ' + g.name + '\n' +
    (if std.objectHas(g, 'interval') then '    interval: ' + g.interval + '\n' else '') +
    '    rules:\n' + std.join('', [
      local r = g.rules[i];
      // a blank line between rules, except in a run of recording rules
      (if i > 0 && !(isRecord(r) && isRecord(g.rules[i - 1])) then '\n' else '') +
      rule('      ', r)
      for i in std.range(0, std.length(g.rules) - 1)
    ]),

  // ruleFile(mixin): its rules and alerts as one rule file, group by group
  // (recording rules first), as Prometheus refuses a group name twice in a
  // file
  ruleFile(m)::
    local all = m.prometheusAlerts.groups + m.prometheusRules.groups;
    local names = std.foldl(function(a, g) if std.member(a, g.name) then a else a + [g.name], all, []);
    {
      groups: [
        local alerts = std.filter(function(g) g.name == n, m.prometheusAlerts.groups);
        local records = std.filter(function(g) g.name == n, m.prometheusRules.groups);
        std.foldl(function(a, g) a + g, records + alerts, {}) {
          rules: std.flattenArrays([g.rules for g in records + alerts]),
        }
        for n in names
      ],
    },

  // rules(doc, header): header lines, then {groups: [...]} as YAML, less
  // the final newline that jsonnet -S adds
  rules(doc, header='')::
    local t = header + '\ngroups:\n' + std.join('\n', [group(g) for g in doc.groups]);
    t[:std.length(t) - 1],
}
