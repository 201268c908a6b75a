#!/usr/bin/perl
# test/static/check_functions.pl: the static check of issue 13 (docs/70_findings.md).
#
# Reads, on stdin, a JSON array of functions as test/sh/70_static.sh selects
# them from pg_proc: {"sig", "secdef", "lang", "config", "src", "types"} where
# "types" lists every type name PostgreSQL knows.  Prints one line per
# violation ("SIG: message") and exits 1 if there is any.  Rules:
#
#   R1  every function checked pins exactly search_path = pg_catalog, pg_temp
#   R2  (SQL and PL/pgSQL bodies) every name is schema-qualified:
#       a  the type after ::
#       b  the type of each DECLARE'd variable
#       c  a type name before a string literal (typed literal: interval '1 day')
#       d  the relation after FROM / JOIN / UPDATE / INSERT INTO / TABLE
#       e  a function called by name(...), except SQL's keyword functions
#       f  every operator: OPERATOR(schema.op) only; keyword operators (LIKE,
#          BETWEEN, IS DISTINCT FROM, IN (list), SIMILAR) are refused
#   R3  no unknown-typed literal (bare 'string' or NULL) as an argument of a
#       function of our own schemas (auth., todo.), which could be overloaded
#
# It is deliberately stricter than PostgreSQL needs (pg_catalog comes first in
# the pinned path): the point is that a body reads the same whatever the path.
use strict;
use warnings;
use JSON::PP;

my $in = do { local $/; <STDIN> };
my $funcs = decode_json($in) // [];
my $bad = 0;
my %keywordfunc = map { $_ => 1 } qw(
  and or not in exists any all some array values coalesce greatest least nullif row cast
  if elsif when then else where select return as on using by filter over conflict loop
  is between like case set into from join limit offset returning lateral with union operator
  except intersect next query perform execute raise strict while foreach for end);
my %optkw = map { $_ => 1 } qw(errcode hint detail message column constraint datatype table schema);
my $pinned = 'search_path=pg_catalog, pg_temp';

sub report { my ($sig, $msg) = @_; print "$sig: $msg\n"; $bad++; }

# tokens: [kind, text]  kind: id (maybe dotted), str, num, op, punct, qid
sub lex {
  my ($s) = @_;
  my @t;
  while (length $s) {
    if ($s =~ s/^\s+//) { next }
    if ($s =~ s/^--[^\n]*//) { next }
    if ($s =~ s{^/\*.*?\*/}{}s) { next }
    if ($s =~ s/^(\$[A-Za-z_0-9]*\$)//) {            # dollar quote
      my $tag = quotemeta $1; $s =~ s/^.*?$tag//s; push @t, ['str', '$$']; next }
    if ($s =~ s/^[Ee]'((?:[^'\\]|\\.|'')*)'//s) { push @t, ['str', $1]; next }
    if ($s =~ s/^'((?:[^']|'')*)'//s) { push @t, ['str', $1]; next }
    if ($s =~ s/^((?:[A-Za-z_][A-Za-z_0-9\$]*|"(?:[^"]|"")+")(?:\s*\.\s*(?:[A-Za-z_][A-Za-z_0-9\$]*|"(?:[^"]|"")+"|\*))*)//) {
      (my $id = $1) =~ s/\s+//g; push @t, ['id', $id]; next }
    if ($s =~ s/^(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)//) { push @t, ['num', $1]; next }
    if ($s =~ s/^(::|:=|=>)//) { push @t, ['punct', $1]; next }
    if ($s =~ s/^([-+*\/<>=~!\@#%^&|`?]+)//) { push @t, ['op', $1]; next }
    if ($s =~ s/^(.)//s) { push @t, ['punct', $1]; next }
  }
  return @t;
}

sub qualified { return $_[0] =~ /\./ }

for my $f (@$funcs) {
  my ($sig, $lang, $src) = ($f->{sig}, $f->{lang}, $f->{src} // '');
  my %types = map { lc($_) => 1 } @{ $f->{types} // [] };
  my $config = $f->{config} // [];
  report($sig, "R1 search_path is not pinned to pg_catalog, pg_temp (proconfig: " . join(',', @$config) . ")")
    unless @$config == 1 && $config->[0] eq $pinned;
  next unless $lang eq 'sql' || $lang eq 'plpgsql';
  my @t = lex($src);
  # names of common table expressions (WITH name ...) are relations too
  my %cte;
  for (my $i = 0; $i + 1 < @t; $i++) {
    next unless $t[$i][0] eq 'id' && lc($t[$i][1]) eq 'with';
    my $j = $i + 1;
    $j++ if $j < @t && lc($t[$j][1]) eq 'recursive';
    $cte{lc $t[$j][1]} = 1 if $j < @t && $t[$j][0] eq 'id';
  }
  my $depth = 0;
  my ($in_declare, $in_set, $set_depth) = (0, 0, 0);
  my $decl_start = 1;
  for (my $i = 0; $i < @t; $i++) {
    my ($k, $x) = @{ $t[$i] };
    my $lx = lc $x;
    my ($pk, $px) = $i > 0 ? @{ $t[$i - 1] } : ('', '');
    my $lpx = lc $px;
    my ($nk, $nx) = $i + 1 < @t ? @{ $t[$i + 1] } : ('', '');
    $depth++ if $x eq '(' && $k eq 'punct';
    $depth-- if $x eq ')' && $k eq 'punct';
    # ---- DECLARE section (R2b) ----
    if ($lang eq 'plpgsql' && $k eq 'id' && $lx eq 'declare') { $in_declare = 1; $decl_start = 1; next }
    if ($in_declare) {
      if ($k eq 'id' && $lx eq 'begin') { $in_declare = 0; next }
      if ($decl_start && $k eq 'id') {
        my $j = $i + 1;
        $j++ if $j < @t && lc($t[$j][1]) eq 'constant';
        if ($j < @t && $t[$j][0] eq 'id') {
          report($sig, "R2b variable $x has the unqualified type $t[$j][1]") unless qualified($t[$j][1]);
        }
        $decl_start = 0;
      }
      $decl_start = 1 if $x eq ';';
    }
    # ---- R2a: type after :: ----
    if ($k eq 'punct' && $x eq '::' && $nk eq 'id' && !qualified($nx)) {
      report($sig, "R2a cast to the unqualified type $nx");
    }
    # ---- R2c: typed literal ----
    if ($k eq 'id' && !qualified($x) && $nk eq 'str' && $types{$lx} && $px ne '::') {
      report($sig, "R2c typed literal of the unqualified type $x");
    }
    # ---- R2d: relations ----
    if ($k eq 'id' && ($lx eq 'from' || $lx eq 'join' || $lx eq 'update' || $lx eq 'table'
                       || ($lx eq 'into' && $lpx eq 'insert'))
        && $lpx ne 'distinct' && !($lx eq 'update' && ($lpx eq 'do' || $lpx eq 'for'))
        && !($lx eq 'table' && $lpx eq 'alter')) {
      my $j = $i + 1;
      $j++ if $j < @t && $t[$j][0] eq 'id' && lc($t[$j][1]) =~ /^(only|lateral)$/;
      if ($j < @t && $t[$j][0] eq 'id' && !qualified($t[$j][1]) && !$cte{lc $t[$j][1]}) {
        report($sig, "R2d relation $t[$j][1] is not schema-qualified (after " . uc($x) . ")");
      }
    }
    # ---- R2e: function calls ----
    if ($k eq 'id' && $nx eq '(' && !qualified($x) && !$keywordfunc{$lx} && $lpx ne 'as' && !$types{$lx}
        && !$cte{$lx}) {
      report($sig, "R2e function $x is called without its schema");
    }
    # ---- R2f: operators ----
    if ($k eq 'id' && $lx =~ /^(like|ilike|similar|between)$/) { report($sig, "R2f keyword operator " . uc($x) . " (use OPERATOR(pg_catalog.~~) etc.)") }
    if ($k eq 'id' && $lx eq 'distinct' && lc($nx) eq 'from') { report($sig, "R2f IS DISTINCT FROM resolves = through the search_path") }
    if ($k eq 'id' && $lx eq 'in' && $nx eq '(' && !($i >= 2 && lc($t[$i - 2][1]) eq 'for')) { report($sig, "R2f IN (list) resolves = through the search_path") }
    if ($k eq 'id' && ($lx eq 'set') && $lpx ne 'local') { $in_set = 1; $set_depth = $depth }
    if ($in_set && (($k eq 'id' && $lx =~ /^(where|returning|from)$/) || $x eq ';') && $depth <= $set_depth) { $in_set = 0 }
    if ($k eq 'op') {
      # OPERATOR(schema.op) lexes as: OPERATOR ( schema . op )
      my $wrapped = ($i >= 4 && $t[$i - 1][1] eq '.' && $t[$i - 2][0] eq 'id' && $t[$i - 3][1] eq '('
                     && lc($t[$i - 4][1]) eq 'operator');
      my $assign = ($x eq '=' && (($in_set && $depth == $set_depth && $pk eq 'id') || ($pk eq 'id' && $optkw{$lpx})));
      my $star = ($x eq '*' && ($lpx eq 'select' || $px eq '(' || $px eq ','));
      report($sig, "R2f operator $x is not written OPERATOR(schema.$x)") unless $wrapped || $assign || $star;
    }
    # ---- R3: unknown literals to our functions ----
    if ($k eq 'id' && $x =~ /^(auth|todo)\./i && $nx eq '(') {
      my ($d, $j, @arg) = (0, $i + 1);
      my @args;
      for (; $j < @t; $j++) {
        my $tx = $t[$j][1];
        if ($tx eq '(' ) { $d++; next if $d == 1 }
        if ($tx eq ')') { $d--; if ($d == 0) { push @args, [@arg]; last } }
        if ($tx eq ',' && $d == 1) { push @args, [@arg]; @arg = (); next }
        push @arg, $t[$j];
      }
      for my $a (@args) {
        my @a = @$a;
        @a = @a[2 .. $#a] if @a > 2 && $a[1][1] eq '=>';
        if (@a == 1 && ($a[0][0] eq 'str' || lc($a[0][1]) eq 'null')) {
          report($sig, "R3 unknown-typed literal " . ($a[0][0] eq 'str' ? "'$a[0][1]'" : 'NULL') . " passed to $x (cast it)");
        }
      }
    }
  }
}
exit($bad ? 1 : 0);
