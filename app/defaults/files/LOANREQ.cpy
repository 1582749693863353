      *****************************************************************
      * LOANREQ   LOAN APPLICATION RISK SCORING - REQUEST FILE         *
      *           RECFM=FB  LRECL=200  CODE PAGE 037 (EBCDIC)          *
      *           ONE HEADER, N DETAIL, ONE TRAILER RECORD             *
      *           NUMERIC FIELDS OF -1 MEAN 'NOT REPORTED'             *
      *****************************************************************
000100 01  LR-RECORD.
000200     05  LR-REC-TYPE                 PIC X(01).
000300         88  LR-IS-HEADER            VALUE 'H'.
000400         88  LR-IS-DETAIL            VALUE 'D'.
000500         88  LR-IS-TRAILER           VALUE 'T'.
000600     05  LR-HEADER-REC.
000700         10  LH-FILE-ID              PIC X(08).
000800         10  LH-RUN-DATE             PIC 9(08).
000900         10  LH-SOURCE-SYSTEM        PIC X(08).
001000         10  FILLER                  PIC X(175).
001100     05  LR-DETAIL-REC REDEFINES LR-HEADER-REC.
001200         10  LD-APPL-NO              PIC X(12).
001300         10  LD-BIRTH-DATE           PIC 9(08).
001400         10  LD-ANNUAL-INCOME        PIC S9(09)V99 COMP-3.
001500         10  LD-EMPLOY-YEARS         PIC S9(02)V9.
001600         10  LD-HOME-OWNERSHIP       PIC X(01).
001700         10  LD-RESIDENCE-YEARS      PIC 9(02).
001800         10  LD-DEPENDANTS           PIC 9(02).
001900         10  LD-LOAN-AMOUNT          PIC S9(09)V99 COMP-3.
002000         10  LD-LOAN-TERM            PIC 9(03).
002100         10  LD-LOAN-PURPOSE         PIC X(02).
002200         10  LD-INTEREST-RATE        PIC S9(02)V99 COMP-3.
002300         10  LD-COSIGNER             PIC X(01).
002400         10  LD-DEBT-TO-INCOME       PIC S9(01)V9(04) COMP-3.
002500         10  LD-REVOLVING-UTIL       PIC S9(01)V9(04) COMP-3.
002600         10  LD-OPEN-ACCOUNTS        PIC 9(03).
002700         10  LD-CREDIT-HIST-YEARS    PIC S9(02)V9.
002800         10  LD-DELINQ-2Y            PIC 9(02).
002900         10  LD-MONTHS-SINCE-DELINQ  PIC S9(03).
003000         10  LD-INQUIRIES-6M         PIC 9(02).
003100         10  LD-BANKRUPTCIES         PIC 9(02).
003200         10  LD-SAVINGS-BALANCE      PIC S9(11)V99 COMP-3.
003300         10  FILLER                  PIC X(122).
003400     05  LR-TRAILER-REC REDEFINES LR-HEADER-REC.
003500         10  LT-RECORD-COUNT         PIC 9(09).
003600         10  LT-TOTAL-LOAN-AMOUNT    PIC S9(13)V99 COMP-3.
003700         10  LT-TOTAL-INCOME         PIC S9(13)V99 COMP-3.
003800         10  FILLER                  PIC X(174).
