// SPDX-License-Identifier: GPL-2.0
// Small helpers to write PromQL from _config.
{
  // sel(['a="b"', '', 'c!=""']): '{a="b",c!=""}', or '' with no matcher
  sel(matchers)::
    local m = std.filter(function(x) x != '', matchers);
    if std.length(m) == 0 then '' else '{' + std.join(',', m) + '}',

  // by(['vm', 'le']): 'vm, le', for "sum by (...)" and "on (...)"
  by(labels):: std.join(', ', labels),

  // legend(['namespace', 'name']): '{{namespace}}/{{name}}'
  legend(labels):: std.join('/', ['{{%s}}' % l for l in labels]),

  // tmpl(['vm']): '{{ $labels.vm }}', for annotations
  tmpl(labels):: std.join('/', ['{{ $labels.%s }}' % l for l in labels]),
}
