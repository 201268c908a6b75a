#!/usr/bin/env perl
# test/static/check_layout.pl: the dependency structure of auth_ext's C files,
# read from the compiled objects (test/sh/70_layout.sh runs it).
#
#   check_layout.pl edges OBJ...   the file-level call graph: one line per pair of
#                                  objects, "FROM TO SYM,SYM...": FROM leaves SYM
#                                  undefined (nm -u) and TO defines it (nm
#                                  --defined-only, global symbols only), i.e. the
#                                  link edges the linker resolves between our own
#                                  files; symbols of the server and of libraries
#                                  defined by no object are not edges
#   check_layout.pl order          reads edges; prints every edge that goes UP the
#                                  area order, or touches a file in no known area;
#                                  exit 1 if any
#   check_layout.pl cycles         reads edges; prints every cycle between files
#                                  (each strongly connected component of two or
#                                  more files, with the edges inside it); exit 1
#                                  if any
#
# The area of a file is its directory: src/core, src/base, src/passwords,
# src/tokens, src/identity, src/accounts; auth_ext.o (the module entry,
# _PG_init) is the area "module".  A file may call files of its own area (no
# cycle) and of the areas before it in @ORDER, never those after it.  The order
# and what belongs where: docs/00_design_notes.md, "Build and layout".
use strict;
use warnings;

my @ORDER = qw(core base passwords tokens identity accounts module);
my %RANK;
@RANK{@ORDER} = (0 .. $#ORDER);

sub area {
    my ($f) = @_;
    return 'module' if $f =~ m{(^|/)auth_ext\.o$};
    return $1 if $f =~ m{(?:^|/)src/([a-z_]+)/[^/]+\.o$} && exists $RANK{$1};
    return undef;
}

sub read_edges {
    my @e;
    while (my $line = <STDIN>) {
        chomp $line;
        next if $line eq '';
        my ($from, $to, $syms) = split / /, $line;
        die "check_layout.pl: bad edge line: $line\n" unless defined $syms;
        push @e, [$from, $to, $syms];
    }
    return @e;
}

my $mode = shift @ARGV // '';

if ($mode eq 'edges') {
    my (%def, %edge);
    for my $o (@ARGV) {
        open my $nm, '-|', 'nm', '--defined-only', '-g', $o or die "nm $o: $!\n";
        while (<$nm>) {
            my @f = split;
            next unless @f == 3;
            warn "check_layout.pl: $f[2] defined in $def{$f[2]} and $o\n" if exists $def{$f[2]};
            $def{$f[2]} = $o;
        }
        close $nm or die "nm --defined-only $o failed\n";
    }
    for my $o (@ARGV) {
        open my $nm, '-|', 'nm', '-u', $o or die "nm $o: $!\n";
        while (<$nm>) {
            my @f = split;
            my $sym = $f[-1];
            next unless defined $sym && exists $def{$sym} && $def{$sym} ne $o;
            $edge{$o}{$def{$sym}}{$sym} = 1;
        }
        close $nm or die "nm -u $o failed\n";
    }
    for my $from (sort keys %edge) {
        for my $to (sort keys %{$edge{$from}}) {
            print "$from $to ", join(',', sort keys %{$edge{$from}{$to}}), "\n";
        }
    }
    exit 0;
}

if ($mode eq 'order') {
    my $bad = 0;
    my %seen;
    for my $e (read_edges()) {
        my ($from, $to, $syms) = @$e;
        for my $f ($from, $to) {
            next if defined area($f) || $seen{$f}++;
            print "$f is in no known area (@ORDER)\n";
            $bad++;
        }
        my ($af, $at) = (area($from), area($to));
        next unless defined $af && defined $at;
        if ($RANK{$at} > $RANK{$af}) {
            print "$from ($af) calls $to ($at), an area above it: $syms\n";
            $bad++;
        }
    }
    exit($bad ? 1 : 0);
}

if ($mode eq 'cycles') {
    my (%adj, %syms, %node);
    for my $e (read_edges()) {
        my ($from, $to, $s) = @$e;
        push @{$adj{$from}}, $to;
        $syms{"$from $to"} = $s;
        $node{$from} = $node{$to} = 1;
    }
    # Tarjan's strongly connected components, iteratively
    my ($index, @stack, %on, %idx, %low, @sccs) = (0);
    for my $root (sort keys %node) {
        next if exists $idx{$root};
        my @work = ([$root, 0]);
        $idx{$root} = $low{$root} = $index++;
        push @stack, $root;
        $on{$root} = 1;
        while (@work) {
            my $top = $work[-1];
            my ($v, $i) = @$top;
            my $succ = $adj{$v} // [];
            if ($i < @$succ) {
                $top->[1]++;
                my $w = $succ->[$i];
                if (!exists $idx{$w}) {
                    $idx{$w} = $low{$w} = $index++;
                    push @stack, $w;
                    $on{$w} = 1;
                    push @work, [$w, 0];
                } elsif ($on{$w}) {
                    $low{$v} = $idx{$w} if $idx{$w} < $low{$v};
                }
                next;
            }
            pop @work;
            if (@work) {
                my $p = $work[-1][0];
                $low{$p} = $low{$v} if $low{$v} < $low{$p};
            }
            if ($low{$v} == $idx{$v}) {
                my @c;
                my $w;
                do {
                    $w = pop @stack;
                    $on{$w} = 0;
                    push @c, $w;
                } while ($w ne $v);
                push @sccs, [sort @c] if @c > 1;
            }
        }
    }
    for my $c (@sccs) {
        my %in = map { $_ => 1 } @$c;
        print "cycle between ", join(', ', @$c), ":\n";
        for my $from (@$c) {
            for my $to (sort grep { $in{$_} } @{$adj{$from} // []}) {
                print "  $from -> $to: $syms{\"$from $to\"}\n";
            }
        }
    }
    exit(@sccs ? 1 : 0);
}

die "usage: check_layout.pl edges OBJ... | order | cycles\n";
