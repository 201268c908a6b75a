#!/usr/bin/env perl
# scripts/regress_count.pl: counts pg_regress checks, not files (issue 17).
#
#   perl scripts/regress_count.pl REGRESS_LOG [DIFFS]
#
# One check is one SQL statement of sql/NAME.sql (pg_regress echoes each into
# expected/NAME.out, then its output).  Setup statements are not checks: psql
# meta-commands (\set, \gset, \c, ...), SET / RESET, CREATE / DROP EXTENSION,
# BEGIN / COMMIT.  Per file, from REGRESS_LOG (pg_regress's own output: 15
# prints "test NAME ... ok|FAILED", 16 and later TAP "ok N - NAME" / "not ok"):
#   - passed: every check passes;
#   - failed: the hunks of DIFFS (regression.diffs) for the expected file it was
#     compared with (NAME.out or an alternative NAME_1.out) are mapped to the
#     statement whose echo and output hold each changed line; those statements
#     fail, the rest pass.  A changed line in a setup statement fails the next
#     check (or the previous one at the end).  A crash loses the rest of the
#     output, so every statement after it fails.  A failed file with no hunk
#     found fails all its checks, and so does a statement whose echo is not in
#     the expected file;
#   - not reported (not run, pg_regress died): all its checks fail.
# Prints "NAME: N checks, N failed" per file, then "regress: P passed, F failed".
use strict;
use warnings;

my ($log, $diffs) = @ARGV;
$diffs //= 'regression.diffs';
my @names = map { m{sql/(.*)\.sql$} ? $1 : () } sort glob('sql/*.sql');

# statements of a sql file: [first line, text, is_check]
sub statements {
    my ($file) = @_;
    open my $fh, '<', $file or return ();
    my @lines = <$fh>;
    chomp @lines;
    my (@st, $cur, $start, $in_dollar);
    for my $i (0 .. $#lines) {
        my $l = $lines[$i];
        if (!defined $cur) {
            next if $l =~ /^\s*(--.*)?$/;
            if ($l =~ /^\s*\\/) { push @st, [$i, $l, 0]; next; }   # meta-command: one line
            ($cur, $start, $in_dollar) = ('', $i, 0);
        }
        $cur .= "$l\n";
        my $n = () = $l =~ /\$\$/g;
        $in_dollar = !$in_dollar if $n % 2;
        next if $in_dollar;
        if ($l =~ /;\s*(--.*)?$/ || $l =~ /\\g\w*\s*$/) {
            my $setup = $cur =~ /^\s*(SET|RESET|CREATE\s+EXTENSION|DROP\s+EXTENSION|BEGIN|COMMIT)\b/i
                     || $l =~ /\\gset\s*$/;
            push @st, [$start, $cur, $setup ? 0 : 1];
            undef $cur;
        }
    }
    push @st, [$start, $cur, 1] if defined $cur;
    return (\@lines, @st);
}

# first expected line (1-based) of each statement: the sql lines are echoed in order
sub echo_lines {
    my ($exp, $sql, @st) = @_;
    open my $fh, '<', $exp or return;
    my @out = <$fh>;
    chomp @out;
    my ($pos, %at) = (0);
    my %first = map { $_->[0] => 1 } @st;
    for my $i (0 .. $#$sql) {
        next if $sql->[$i] =~ /^\s*$/;
        my $j = $pos;
        $j++ while $j < @out && $out[$j] ne $sql->[$i];
        next if $j >= @out;              # not echoed in this expected file
        $at{$i} = $j + 1 if $first{$i};
        $pos = $j + 1;
    }
    return (scalar(@out), map { $at{$_->[0]} } @st);
}

# status per file from pg_regress's output
my %status;
open my $lf, '<', $log or die "no pg_regress log $log\n";
while (<$lf>) {
    if (/^(?:test\s+|\s+)(\S+)\s+\.\.\.\s+(ok|FAILED|failed)/) { $status{$1} = $2 eq 'ok' ? 'ok' : 'failed'; }
    elsif (/^(not )?ok\s+\d+\s+[-+]\s+(\S+)/)        { $status{$2} = $1 ? 'failed' : 'ok'; }
}
close $lf;

# changed expected lines per expected file, from the unified diffs.  A hunk's
# lengths say where it ends, so a removed line "-- comment" (shown "--- comment")
# is never taken for a file header.
my (%changed, $cur_exp, $eline, $old_left, $new_left);
($old_left, $new_left) = (0, 0);
if (open my $df, '<', $diffs) {
    while (<$df>) {
        if ($old_left > 0 || $new_left > 0) {
            if (/^( |$)/) { $eline++; $old_left--; $new_left--; }
            elsif (/^-/)  { push @{$changed{$cur_exp}}, $eline++; $old_left--; }
            elsif (/^\+/) { push @{$changed{$cur_exp}}, $eline > 1 ? $eline - 1 : 1; $new_left--; }
            elsif (/^\\/) { }                                   # "\ No newline at end of file"
            else          { ($old_left, $new_left) = (0, 0); }
            next;
        }
        if (/^--- (\S+)/) { ($cur_exp = $1) =~ s{.*/}{}; next; }
        if (/^@@ -(\d+)(?:,(\d+))? \+\d+(?:,(\d+))? @@/ && defined $cur_exp) {
            ($eline, $old_left, $new_left) = ($1, $2 // 1, $3 // 1);
            $eline++ if $old_left == 0;
        }
    }
}

my ($P, $F) = (0, 0);
for my $name (@names) {
    my ($sql, @st) = statements("sql/$name.sql");
    my @checks = grep { $st[$_][2] } 0 .. $#st;
    my $n = @checks;
    my $st = $status{$name} // 'missing';
    my $failed = 0;
    my $why = '';
    if ($st eq 'missing') {
        ($failed, $why) = ($n, ' (not reported by pg_regress: all counted as failed)');
    } elsif ($st eq 'failed') {
        my @exps = grep { /^\Q$name\E(_\d+)?\.out$/ } keys %changed;
        my %bad;
        for my $exp (@exps) {
            my ($len, @at) = echo_lines("expected/$exp", $sql, @st);
            if (!defined $len) { %bad = map { $_ => 1 } @checks; $why = " (no expected/$exp: all counted as failed)"; last; }
            # a statement whose echo is not in the expected file cannot pass
            for my $k (grep { !defined $at[$_] } 0 .. $#st) {
                my ($c) = grep { $_ >= $k } @checks;
                $bad{$c} = 1 if defined $c;
            }
            my @known = grep { defined $at[$_] } 0 .. $#st;
            next unless @known;
            for my $line (@{$changed{$exp}}) {
                my $k = $known[0];
                for my $m (@known) { $k = $m if $at[$m] <= $line; }
                my ($next) = grep { $_ >= $k } @checks;
                my ($prev) = grep { $_ <= $k } reverse @checks;
                my $c = $st[$k][2] ? $k : defined $next ? $next : $prev;
                $bad{$c} = 1 if defined $c;
            }
        }
        if (!%bad) { %bad = map { $_ => 1 } @checks; $why = ' (failed with no hunk found: all counted as failed)'; }
        $failed = keys %bad;
    }
    print "$name: $n checks, $failed failed$why\n";
    $P += $n - $failed;
    $F += $failed;
}
print "regress: $P passed, $F failed\n";
